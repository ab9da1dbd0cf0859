"""The bad-manifest corpus against the real API server, eso's webhook and the running operator.

Every case of ``tests/fixtures/bad-manifests/`` ends in exactly the stage it declares:

* ``api-server``: refused by the CRD schema (types, required fields, enums, patterns,
  unknown fields) in a namespace no webhook watches, naming the field;
* ``webhook``: admitted by the schema, refused by ``eso webhook`` (a real process the API
  server calls, restricted to one namespace), naming the field;
* ``operator``: admitted by both, and reported by the operator: Ready=False naming the
  field, a Warning event;
* ``synced``: the control cases near the limits, which must sync byte for byte.

Every case the schema admits is also applied *without* the webhook, as an update of an
object that synced before: the operator reports it (never relying on the webhook), the
Secret synced before is unchanged, no secret value of the corpus appears in a refusal,
status or event, no reconcile fails with anything but one of eso's typed errors, and the
operator keeps working afterwards.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

import eso.errors
from eso.webhook.configuration import render_validating_webhook_configuration
from tests.integration.builders import external_secret, wait_es
from tests.integration.webhook.conftest import WebhookProcess, free_port
from tests.integration.webhook.helpers import wait_injected
from tests.sandbox_fixtures import AwsHelper
from tests.security.corpus import (
    CATEGORIES,
    OUTCOMES,
    Answer,
    ApiServer,
    Case,
    Environment,
    binary,
    load_cases,
    load_environment,
)
from tests.support import (
    LOG_BUFFER,
    Kubectl,
    OperatorRunner,
    ready_condition,
    register_log,
    sensitive,
    wait_until,
)

CASES = load_cases()
CANARY = "corpus-secret-canary-5e1f"
ADMITTED_BY_SCHEMA = [c for c in CASES if c.expect != "api-server"]
WEBHOOK_KINDS = ["ExternalSecret", "SecretStore", "PushSecret"]
_ESO_ERRORS = set(eso.errors.__all__)


@dataclass
class Corpus:
    """The module's namespaces, webhook and the dry-run answers for every case."""

    bare: str
    guarded: str
    remote: dict[str, str]
    env: Environment
    webhook: WebhookProcess
    api: ApiServer
    schema: dict[str, Answer] = field(default_factory=dict)
    admission: dict[str, Answer] = field(default_factory=dict)


def _namespace(kube: Client, role: str) -> str:
    name = f"eso-corpus-{role}-{uuid.uuid4().hex[:6]}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"eso-test": "true"})))
    return name


@contextlib.contextmanager
def _webhook(sandbox: Any, namespace: str, tmp: Path, label: tuple[str, str]) -> Iterator[WebhookProcess]:
    port, healthz = free_port(), free_port()
    args = [
        sys.executable, "-m", "eso", "webhook",
        "--port", str(port), "--extra-ip", "127.0.0.1", "--cert-dir", str(tmp / "certs"),
        "--healthz-addr", f"127.0.0.1:{healthz}", "--metrics-addr", "0", "--check-interval", "5m",
        "--service-namespace", namespace, "--secret-namespace", namespace,
        "--webhook-config-selector", f"external-secrets.io/component=webhook,{'='.join(label)}",
        "--service-account", "external-secrets/external-secrets", "--log-format", "json",
    ]  # fmt: skip
    process = WebhookProcess(
        args=args,
        env={**os.environ, **sandbox.env},
        port=port,
        healthz_port=healthz,
        cert_dir=tmp / "certs",
        log=tmp / "webhook.log",
        namespace=namespace,
        secret_name="external-secrets-webhook",
        test_label=label,
    )
    register_log(process.log)
    try:
        yield process.start()
    finally:
        process.stop()


@pytest.fixture(scope="module")
def corpus(
    sandbox: Any,
    kube: Client,
    kubectl: Kubectl,
    aws_clients: dict[str, Any],
    operator: OperatorRunner,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Corpus]:
    env = load_environment()
    for value in env.secrets:
        sensitive(value)
    bare, guarded = _namespace(kube, "bare"), _namespace(kube, "guarded")
    aws = AwsHelper(aws_clients, sandbox.aws_endpoint_url, prefix="/eso-test/corpus")
    label = ("eso-test-webhook", uuid.uuid4().hex[:10])
    config = f"eso-corpus-{label[1]}"
    api = ApiServer(sandbox.kubeconfig)
    try:
        remote = {}
        for entry in env.aws:
            remote[entry["name"]] = aws.name(entry["name"])
            aws.put_secret(remote[entry["name"]], binary(entry))
        with _webhook(sandbox, guarded, tmp_path_factory.mktemp("corpus-webhook"), label) as webhook:
            vwc = render_validating_webhook_configuration(
                name=config,
                url=webhook.url,
                kinds=WEBHOOK_KINDS,
                namespace_selector={"matchLabels": {"kubernetes.io/metadata.name": guarded}},
                labels={label[0]: label[1], "external-secrets.io/component": "webhook"},
            )
            kubectl.apply(vwc)
            wait_injected(kubectl, webhook, config, what="caBundle injected into the corpus webhook")
            refused = api.apply_all(
                [{**o, "metadata": {**o["metadata"], "namespace": bare}} for o in env.objects]
            )
            assert not refused, refused
            state = Corpus(bare, guarded, remote, env, webhook, api)
            for case in CASES:
                state.schema[case.name] = api.apply(case.subject(bare, remote), dry_run=True)
            for case in ADMITTED_BY_SCHEMA:
                state.admission[case.name] = api.apply(case.subject(guarded, remote), dry_run=True)
            yield state
    finally:
        api.close()
        kubectl.delete("validatingwebhookconfiguration", config)
        aws.cleanup()
        for name in (bare, guarded):
            with contextlib.suppress(ApiError):
                kube.delete(Namespace, name)


_SECRETS = sorted(load_environment().secrets)
"""Every corpus value marked secret (``corpus-secret…``)."""


def _corpus_secrets_in(text: str) -> list[str]:
    return [s for s in _SECRETS if s in text]


def test_the_corpus_covers_every_kind_of_bad_input() -> None:
    counts = collections.Counter(c.expect for c in CASES)
    by_category = collections.Counter(c.category for c in CASES)
    for prefix in ("type", "missing", "provider", "regexp", "template", "size", "binary", "keyname"):
        assert by_category[prefix] >= 2, f"too few cases of {CATEGORIES[prefix]}"
    assert set(counts) == set(OUTCOMES)
    assert len({c.name for c in CASES}) == len(CASES)
    summary = ", ".join(f"{o}: {counts[o]}" for o in OUTCOMES)
    print(f"\nbad-manifest corpus: {len(CASES)} cases ({summary})")


@pytest.mark.parametrize("case", [c for c in CASES if c.expect == "api-server"], ids=lambda c: c.name)
def test_the_api_server_refuses(corpus: Corpus, case: Case) -> None:
    answer = corpus.schema[case.name]
    out = answer.message
    assert not answer.ok, f"{case.name}: the schema admitted it"
    assert "admission webhook" not in out
    for fragment in case.fragments():
        assert fragment in out, f"{case.name}: {fragment!r} not in {out!r}"


@pytest.mark.parametrize("case", ADMITTED_BY_SCHEMA, ids=lambda c: c.name)
def test_the_webhook_refuses_or_admits(corpus: Corpus, case: Case) -> None:
    plain = corpus.schema[case.name]
    assert plain.ok, f"{case.name}: refused by the schema already: {plain.message}"
    answer = corpus.admission[case.name]
    out = answer.message
    assert not _corpus_secrets_in(out), f"{case.name}: the webhook's answer repeats a secret value"
    if case.expect != "webhook":
        assert answer.ok, f"{case.name}: the webhook refused it: {out}"
        return
    assert not answer.ok, f"{case.name}: the webhook admitted it"
    assert 'admission webhook "validate.' in out, out
    for fragment in case.fragments():
        assert fragment in out, f"{case.name}: {fragment!r} not in {out!r}"


def _baseline(case: Case, namespace: str) -> list[dict[str, Any]]:
    """A good object of the case's name (and what it needs), to be broken by the case."""
    if case.kind == "ExternalSecret":
        spec = {
            "refreshInterval": "1h",
            "secretStoreRef": {"name": "corpus-store"},
            "data": [{"secretKey": "canary", "remoteRef": {"key": "canary"}}],
        }
        return [external_secret(namespace, case.name, spec)]
    if case.kind == "SecretStore":
        store = {
            "apiVersion": "external-secrets.io/v1",
            "kind": "SecretStore",
            "metadata": {"name": case.name, "namespace": namespace},
            "spec": {"provider": {"fake": {"data": [{"key": "canary", "value": CANARY}]}}},
        }
        spec = {
            "refreshInterval": "1h",
            "secretStoreRef": {"name": case.name},
            "data": [{"secretKey": "canary", "remoteRef": {"key": "canary"}}],
        }
        return [store, external_secret(namespace, f"{case.name}-user", spec)]
    assert case.kind == "PushSecret", case.name
    return [
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": case.name, "namespace": namespace},
            "spec": {
                "refreshInterval": "1h",
                "secretStoreRefs": [{"name": "corpus-store", "kind": "SecretStore"}],
                "selector": {"secret": {"name": "corpus-source"}},
                "data": [{"match": {"secretKey": "token", "remoteRef": {"remoteKey": f"{case.name}-t"}}}],
            },
        }
    ]


def _synced_secret(case: Case) -> str:
    return f"{case.name}-user" if case.kind == "SecretStore" else case.name


def _baselines_pending(objs: dict[tuple[str, str], dict[str, Any]], cases: list[Case]) -> list[str]:
    pending = []
    for case in cases:
        synced = (
            ("ExternalSecret", f"{case.name}-user") if case.kind == "SecretStore" else (case.kind, case.name)
        )
        if (ready_condition(objs.get(synced)) or {}).get("status") != "True":
            pending.append(case.name)
    return pending


def _expected(case: Case) -> str:
    return case.expect if case.expect != "webhook" else case.without_webhook


def _verdict(case: Case, obj: dict[str, Any] | None) -> str | None:
    """None when the case ended as declared (without the webhook), else what is wrong."""
    cond = ready_condition(obj) or {}
    message = str(cond.get("message", ""))
    if _expected(case) == "synced":
        return None if cond.get("status") == "True" else f"not synced: {message}"
    if cond.get("status") != "False":
        return f"Ready={cond.get('status')}: {message}"
    missing = [f for f in case.fragments() if f not in message]
    return f"the Ready message does not name {missing}: {message!r}" if missing else None


@dataclass
class Outcome:
    """How one case ended in the namespace without a webhook."""

    verdict: str | None
    before: dict[str, bytes] | None
    after: dict[str, bytes] | None
    status: str
    events: list[dict[str, Any]]


@dataclass
class OperatorPhase:
    outcomes: dict[str, Outcome]
    logs: str


@pytest.fixture(scope="module")
def operator_phase(corpus: Corpus, operator: OperatorRunner) -> OperatorPhase:
    """Every case the schema admits, applied over a good object that synced before."""
    api, ns, cases = corpus.api, corpus.bare, ADMITTED_BY_SCHEMA
    kinds = ("ExternalSecret", "SecretStore", "PushSecret")
    assert not api.apply_all([obj for case in cases for obj in _baseline(case, ns)])
    wait_until(lambda: not _baselines_pending(api.items(ns, *kinds), cases), timeout=60, what="baselines")
    before = {case.name: api.secret_data(ns, _synced_secret(case)) for case in cases}
    log_mark = len(LOG_BUFFER.getvalue())
    assert not api.apply_all([case.subject(ns, corpus.remote) for case in cases])

    def verdicts() -> dict[str, str | None]:
        objs = api.items(ns, *kinds)
        return {c.name: _verdict(c, objs.get((c.kind, c.name))) for c in cases}

    fixed = {c.name for c in cases if not c.known_bug}
    with contextlib.suppress(AssertionError):  # the checks below say which case did not settle
        wait_until(
            lambda: not any(v for k, v in verdicts().items() if k in fixed), timeout=45, what="every case"
        )
    if len(fixed) < len(cases):
        time.sleep(2)  # the known-bug cases were applied in the same batch: give them a moment more
    final, objs, events = verdicts(), api.items(ns, *kinds), api.events(ns)
    outcomes = {
        case.name: Outcome(
            verdict=final[case.name],
            before=before[case.name],
            after=api.secret_data(ns, _synced_secret(case)),
            status=json.dumps((objs.get((case.kind, case.name)) or {}).get("status") or {}),
            events=events.get(case.name, []),
        )
        for case in cases
    }
    return OperatorPhase(outcomes, LOG_BUFFER.getvalue()[log_mark:])


def _operator_param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.known_bug)] if case.known_bug else []
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_operator_param(c) for c in ADMITTED_BY_SCHEMA])
def test_the_operator_reports_it_and_keeps_what_synced_before(
    operator_phase: OperatorPhase, case: Case
) -> None:
    outcome = operator_phase.outcomes[case.name]
    assert outcome.verdict is None, f"{case.name}: {outcome.verdict}"
    assert not _corpus_secrets_in(outcome.status + json.dumps(outcome.events)), (
        "a secret value in status/events"
    )
    if _expected(case) == "synced":
        sizes = {key: len(value) for key, value in (outcome.after or {}).items()}
        assert sizes == case.size, f"{case.name}: synced keys and sizes"
        return
    assert any(e["type"] == "Warning" for e in outcome.events), f"{case.name}: no Warning event"
    if case.kind != "PushSecret":
        assert outcome.after == outcome.before, f"{case.name}: the Secret synced before changed"


def test_no_reconcile_failed_with_an_untyped_error(corpus: Corpus, operator_phase: OperatorPhase) -> None:
    """A failure that is not one of eso's typed errors is a crash of a reconcile (a bug)."""
    found = []
    for line in operator_phase.logs.splitlines():
        if corpus.bare not in line:
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        error_type = event.get("error_type")
        if error_type and error_type not in _ESO_ERRORS:
            found.append(f"{error_type}: {event.get('event')} {event.get('key', '')} {event.get('name', '')}")
    assert not found, found
    assert corpus.bare in operator_phase.logs, "the operator's log lines were seen"


def test_the_operator_still_works_after_the_corpus(
    corpus: Corpus, operator_phase: OperatorPhase, kubectl: Kubectl
) -> None:
    ns = corpus.bare
    assert kubectl.secret_data("corpus-source", ns) == {"token": b"corpus-secret-push-token-44e0"}
    spec = {
        "secretStoreRef": {"name": "corpus-store"},
        "data": [{"secretKey": "c", "remoteRef": {"key": "canary"}}],
    }
    kubectl.apply(external_secret(ns, "after-the-corpus", spec))
    wait_es(kubectl, "after-the-corpus", ns)
    assert kubectl.secret_data("after-the-corpus", ns) == {"c": CANARY.encode()}
