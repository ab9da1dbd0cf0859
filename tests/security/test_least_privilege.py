"""Isolation and least privilege, with eso running as the chart's ServiceAccount under the chart's RBAC.

Every test runs twice: in the chart's cluster-wide mode (a ClusterRole: eso *could* read
every namespace, so isolation is eso's own logic) and in its namespaced mode scoped to
tenant A (Roles in A only: the API server refuses everything else). The operator is not
the sandbox admin: see :mod:`tests.security.release`.

Tenant A and tenant B are two fresh namespaces; the release has a third one of its own.
Several of these rules also have tests with the admin-run session operator
(``tests/integration/externalsecret/test_stores.py``, ``test_policies.py``,
``tests/integration/pushsecret/test_fake.py``, ``tests/integration/chart/``); these
ones add the least-privilege identity, the namespaced RBAC, and the cases those do not
cover (a label selector reaching into another namespace, a namespace taking a shared
store down, the uninstall with a real operator-made Secret).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from lightkube import ApiError, Client
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from tests.integration.builders import external_secret, secret, wait_es, wait_es_message
from tests.integration.pushsecret.helpers import entry, fake_value, push_secret, store_ref, wait_ps_message
from tests.sandbox_fixtures import AwsHelper
from tests.security.release import LeastPrivilegeRelease
from tests.support import Kubectl, OperatorRunner, ready_condition, sensitive, wait_until

MODES = ("cluster", "namespaced")


@dataclass
class Tenancy:
    """One least-privilege release and the two tenant namespaces it serves (or not)."""

    mode: str
    klass: str
    release: LeastPrivilegeRelease
    runner: OperatorRunner
    kubectl: Kubectl
    a: str
    b: str

    @property
    def namespaced(self) -> bool:
        return self.mode == "namespaced"

    def store(self, namespace: str, name: str, data: dict[str, str], **spec: Any) -> dict[str, Any]:
        """A fake SecretStore of this release's controller class."""
        return {
            "apiVersion": "external-secrets.io/v1",
            "kind": "SecretStore",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "controller": self.klass,
                "provider": {"fake": {"data": [{"key": k, "value": v} for k, v in data.items()]}},
                **spec,
            },
        }

    def aws_store(self, namespace: str, name: str, auth: dict[str, Any]) -> dict[str, Any]:
        provider = {"service": "SecretsManager", "region": "eu-west-1", "auth": auth}
        return {
            "apiVersion": "external-secrets.io/v1",
            "kind": "SecretStore",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"controller": self.klass, "provider": {"aws": provider}},
        }


def _es(namespace: str, name: str, store: str, key: str = "k", kind: str = "SecretStore", **spec: Any) -> Any:
    body = {
        "refreshInterval": "1h",
        "secretStoreRef": {"name": store, "kind": kind},
        "data": [{"secretKey": "v", "remoteRef": {"key": key}}],
        **spec,
    }
    return external_secret(namespace, name, body)


def _namespace(kube: Client, role: str) -> str:
    name = f"eso-lp-{role}-{uuid.uuid4().hex[:6]}"
    kube.create(Namespace(metadata=ObjectMeta(name=name, labels={"eso-test": "true"})))
    return name


@pytest.fixture(scope="module", params=MODES)
def tenancy(
    request: pytest.FixtureRequest,
    sandbox: Any,
    kube: Client,
    kubectl: Kubectl,
    operator: OperatorRunner,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Tenancy]:
    mode: str = request.param
    klass = f"lp-{mode[:4]}-{uuid.uuid4().hex[:6]}"
    home, a, b = (_namespace(kube, role) for role in ("home", "a", "b"))
    # ClusterExternalSecrets and ClusterPushSecrets have no controller class: a second
    # cluster-wide reconciler of them would fight the session operator, so they are off
    # (chart values, as a second release in a real cluster would do).
    values: dict[str, Any] = {
        "controllerClass": klass,
        "processClusterExternalSecret": False,
        "processClusterPushSecret": False,
    }
    if mode == "namespaced":
        values |= {"scopedRBAC": True, "scopedNamespace": a}
    release = LeastPrivilegeRelease(
        kubectl, sandbox.kubeconfig, dict(sandbox.env), home, values, tmp_path_factory.mktemp("lp")
    )
    try:
        release.install()
        runner = release.start()
        yield Tenancy(mode, klass, release, runner, kubectl, a, b)
    finally:
        release.stop()
        release.delete_cluster_objects()
        for name in (home, a, b):
            with contextlib.suppress(ApiError):
                kube.delete(Namespace, name)


def test_the_operator_is_the_charts_service_account_and_syncs(tenancy: Tenancy) -> None:
    t, release = tenancy, tenancy.release
    whoami = release.as_operator("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
    assert whoami == release.username
    assert release.can_i("get", "secrets", "-n", t.a)
    assert not release.can_i("create", "pods", "-n", t.a)
    assert not release.can_i("delete", "namespaces")
    outside = not t.namespaced  # the cluster mode could: isolation is then eso's own logic
    assert release.can_i("get", "secrets", "-n", t.b) == outside
    assert release.can_i("list", "secrets", "-A") == outside
    assert release.can_i("list", "clustersecretstores.external-secrets.io") == outside

    value = sensitive(f"lp-synced-{t.mode}-7d1a")
    t.kubectl.apply(t.store(t.a, "fake", {"k": value}))
    t.kubectl.apply(_es(t.a, "basic", "fake"))
    wait_es(t.kubectl, "basic", t.a)
    assert t.kubectl.secret_data("basic", t.a) == {"v": value.encode()}


def test_a_store_reads_credentials_only_from_its_own_namespace(tenancy: Tenancy, aws: AwsHelper) -> None:
    t, kubectl = tenancy, tenancy.kubectl
    key_id, key = sensitive(f"AKIALP{t.mode.upper()}9F3"), sensitive(f"lp-secret-key-{t.mode}-0b5e")
    for ns in (t.a, t.b):
        kubectl.apply(secret(ns, "aws-creds", {"id": key_id, "key": key}))
    kubectl.apply(
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "irsa",
                "namespace": t.b,
                "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/b"},
            },
        }
    )

    def static(namespace: str | None) -> dict[str, Any]:
        ref = {"name": "aws-creds"} | ({"namespace": namespace} if namespace else {})
        return {
            "secretRef": {
                "accessKeyIDSecretRef": ref | {"key": "id"},
                "secretAccessKeySecretRef": ref | {"key": "key"},
            }
        }

    kubectl.apply(t.aws_store(t.a, "own", static(None)))
    kubectl.apply(t.aws_store(t.a, "cross-secret", static(t.b)))
    kubectl.apply(
        t.aws_store(t.a, "cross-sa", {"jwt": {"serviceAccountRef": {"name": "irsa", "namespace": t.b}}})
    )
    remote = aws.name("lp")
    aws.put_secret(remote, sensitive(f"lp-remote-{t.mode}-c41d"))
    kubectl.apply(_es(t.a, "via-own", "own", key=remote))
    kubectl.apply(_es(t.a, "via-cross", "cross-secret", key=remote))

    wait_es(kubectl, "via-own", t.a)  # the store's own credentials work under least privilege
    assert kubectl.secret_data("via-own", t.a) == {"v": f"lp-remote-{t.mode}-c41d".encode()}
    for store, what in (
        ("cross-secret", f'Secret "{t.b}/aws-creds"'),
        ("cross-sa", f'ServiceAccount "{t.b}/irsa"'),
    ):
        cond = _store_condition(kubectl, t.a, store, "namespace should either be empty")
        assert cond["status"] == "False"
        assert what in cond["message"]
    cond = wait_es_message(kubectl, "via-cross", t.a, "cross-secret")
    assert cond["status"] == "False"
    assert kubectl.get("secret", "via-cross", t.a) is None
    if t.namespaced:  # and the API server would have refused the read anyway
        assert "forbidden" in t.release.as_operator("get", "secret", "aws-creds", "-n", t.b).lower()


def _store_condition(kubectl: Kubectl, namespace: str, name: str, fragment: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        cond = ready_condition(kubectl.get("secretstore", name, namespace)) or {}
        return cond if fragment in str(cond.get("message", "")) else None

    return wait_until(check, what=f"store {name} message {fragment!r}")


def test_an_external_secret_cannot_use_another_namespaces_store(tenancy: Tenancy) -> None:
    t, kubectl = tenancy, tenancy.kubectl
    theirs = sensitive(f"lp-theirs-{t.mode}-5a90")
    kubectl.apply(t.store(t.b, "private", {"k": theirs}))
    kubectl.apply(t.store(t.a, "open", {"k": "a-value"}))
    kubectl.apply(_es(t.a, "thief", "private"))
    kubectl.apply(_es(t.b, "thief", "open"))
    cond = wait_es_message(kubectl, "thief", t.a, 'SecretStore "private" not found')
    assert cond["status"] == "False"
    if t.namespaced:  # B is not served: its store is never even read by this operator
        assert ready_condition(kubectl.get("secretstore", "private", t.b)) is None
    else:
        wait_es_message(kubectl, "thief", t.b, 'SecretStore "open" not found')
    assert kubectl.get("secret", "thief", t.a) is None
    assert kubectl.get("secret", "thief", t.b) is None


def test_cluster_secret_store_conditions_hold(tenancy: Tenancy) -> None:
    t, kubectl = tenancy, tenancy.kubectl
    name = f"lp-css-{uuid.uuid4().hex[:6]}"
    shared = sensitive(f"lp-shared-{t.mode}-91ce")
    store = {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": name},
        "spec": {
            "controller": t.klass,
            "provider": {"fake": {"data": [{"key": "k", "value": shared}]}},
            "conditions": [{"namespaces": [t.a]}],
        },
    }
    try:
        kubectl.apply(store)
        kubectl.apply(_es(t.a, "allowed", name, kind="ClusterSecretStore"))
        kubectl.apply(_es(t.b, "denied", name, kind="ClusterSecretStore"))
        if t.namespaced:
            # no ClusterSecretStore is served (nor readable) in the namespaced mode
            cond = wait_es_message(kubectl, "allowed", t.a, "ClusterSecretStore")
            assert cond["status"] == "False"
            assert kubectl.get("secret", "allowed", t.a) is None
            assert ready_condition(kubectl.get("clustersecretstore", name)) is None
        else:
            wait_es(kubectl, "allowed", t.a)
            cond = wait_es_message(kubectl, "denied", t.b, "denied by spec.condition")
            assert cond["status"] == "False"
        assert kubectl.get("secret", "denied", t.b) is None
    finally:
        kubectl.delete("clustersecretstore", name)


@pytest.mark.parametrize(
    ("key", "source", "why"),
    [
        ("home", '{{ env "HOME" }}', "function 'env' not defined"),
        ("path", '{{ expandenv "$PATH" }}', "function 'expandenv' not defined"),
        ("ip", '{{ getHostByName "localhost" }}', "function 'getHostByName' not defined"),
        ("passwd", '{{ template "/etc/passwd" . }}', "/etc/passwd"),
        ("files", '{{ .Files.Get "/etc/passwd" }}', "Files"),
    ],
)
def test_templates_cannot_read_the_environment_files_or_dns(
    tenancy: Tenancy, key: str, source: str, why: str
) -> None:
    t, kubectl = tenancy, tenancy.kubectl
    kubectl.apply(t.store(t.a, "tpl", {"k": "v"}))
    name = f"tpl-{key}"
    kubectl.apply(_es(t.a, name, "tpl", target={"template": {"data": {key: source}}}))
    cond = wait_es_message(kubectl, name, t.a, f"spec.target.template.data[{key}]")
    assert cond["status"] == "False"
    assert why in cond["message"]
    assert kubectl.get("secret", name, t.a) is None
    status = json.dumps((kubectl.get("externalsecret", name, t.a) or {}).get("status"))
    assert os.environ["PATH"] not in status


def test_an_existing_unowned_secret_is_never_taken_over(tenancy: Tenancy) -> None:
    t, kubectl = tenancy, tenancy.kubectl
    mine = sensitive(f"lp-precious-{t.mode}-e2f7")
    kubectl.apply(secret(t.a, "precious", {"keep": mine}))
    kubectl.apply(t.store(t.a, "taker", {"k": f"lp-replacement-{t.mode}-4c1b"}))
    kubectl.apply(_es(t.a, "taker", "taker", target={"name": "precious", "creationPolicy": "Owner"}))
    cond = wait_es_message(kubectl, "taker", t.a, "already exists and is not managed")
    assert cond["status"] == "False"
    time.sleep(1)  # a few retries later, still untouched
    live = kubectl.get("secret", "precious", t.a) or {}
    assert kubectl.secret_data("precious", t.a) == {"keep": mine.encode()}
    assert not live["metadata"].get("ownerReferences")
    assert not any(
        k.startswith("reconcile.external-secrets.io") for k in live["metadata"].get("labels") or {}
    )


def test_a_push_secret_cannot_read_secrets_outside_its_namespace(tenancy: Tenancy) -> None:
    t, kubectl = tenancy, tenancy.kubectl
    hidden = sensitive(f"lp-hidden-{t.mode}-30db")
    label = {"eso-lp-source": t.klass}
    kubectl.apply(secret(t.b, "shared", {"k": hidden}, labels=label))
    sink = t.store(t.a, "sink", {"static": "x"})
    kubectl.apply(sink)
    by_name = push_secret(
        t.a, "by-name", stores=[store_ref("sink")], source="shared", data=[entry("k", "stolen")]
    )
    by_label = push_secret(t.a, "by-label", stores=[store_ref("sink")], data=[entry("k", "stolen-by-label")])
    by_label["spec"]["selector"] = {"secret": {"selector": {"matchLabels": label}}}
    kubectl.apply(by_name)
    kubectl.apply(by_label)
    cond = wait_ps_message(kubectl, "by-name", t.a, "not found")
    assert cond["status"] == "False"
    wait_until(lambda: ready_condition(kubectl.get("pushsecret", "by-label", t.a)), what="by-label reported")
    time.sleep(1)
    assert fake_value(t.runner, t.a, "sink", "stolen") is None
    assert fake_value(t.runner, t.a, "sink", "stolen-by-label") is None
    for name in ("by-name", "by-label"):
        obj = kubectl.get("pushsecret", name, t.a) or {}
        assert hidden not in json.dumps(obj.get("status") or {})


def test_one_tenant_cannot_take_a_shared_store_down(tenancy: Tenancy) -> None:
    """An ExternalSecret that keeps failing on a data error must not make the store's other
    readers fail: B's against A's through a ClusterSecretStore (cluster-wide mode), or two of
    the one served namespace through its SecretStore (namespaced mode)."""
    t, kubectl = tenancy, tenancy.kubectl
    name = f"lp-shared-store-{uuid.uuid4().hex[:6]}"
    kind = "SecretStore" if t.namespaced else "ClusterSecretStore"
    bad_namespace = t.a if t.namespaced else t.b
    metadata: dict[str, Any] = {"name": name}
    if t.namespaced:
        metadata["namespace"] = t.a
    store = {
        "apiVersion": "external-secrets.io/v1",
        "kind": kind,
        "metadata": metadata,
        "spec": {
            "controller": t.klass,
            "provider": {
                "fake": {"data": [{"key": "plain", "value": "not json"}, {"key": "k", "value": "a"}]}
            },
        },
    }
    try:
        kubectl.apply(store)
        bad = {
            "refreshInterval": "1h",
            "secretStoreRef": {"name": name, "kind": kind},
            "dataFrom": [{"extract": {"key": "plain"}}],
        }
        kubectl.apply(external_secret(bad_namespace, "bad", bad))
        metrics = t.runner.operator.metrics
        wait_until(lambda: metrics.sync_errors(bad_namespace, "bad") >= 8, timeout=30, what="8 failures")
        cond = ready_condition(kubectl.get("externalsecret", "bad", bad_namespace)) or {}
        assert "unable to unmarshal" in cond.get("message", "")
        kubectl.apply(_es(t.a, "good", name, kind=kind))
        first = wait_until(
            lambda: ready_condition(kubectl.get("externalsecret", "good", t.a)), what="A's first result"
        )
        problems = []
        if first.get("reason") != "SecretSynced":
            problems.append(f"A's ExternalSecret failed: {first.get('message')}")
        if "circuit open" in cond.get("message", ""):
            problems.append(f"the data error opened the store's circuit: {cond.get('message')}")
        assert not problems, problems
    finally:
        if t.namespaced:
            kubectl.delete("secretstore", name, t.a)
        else:
            kubectl.delete("clustersecretstore", name)


def test_uninstalling_keeps_every_secret(tenancy: Tenancy) -> None:
    """Last in the module: it uninstalls the release (what ``helm uninstall`` deletes)."""
    t, kubectl = tenancy, tenancy.kubectl
    value = sensitive(f"lp-survivor-{t.mode}-68fa")
    kubectl.apply(t.store(t.a, "keep", {"k": value}))
    kubectl.apply(_es(t.a, "owned", "keep", target={"creationPolicy": "Owner"}))
    kubectl.apply(_es(t.a, "orphan", "keep", target={"creationPolicy": "Orphan"}))
    for name in ("owned", "orphan"):
        wait_es(kubectl, name, t.a)
    t.release.uninstall()
    assert kubectl.get("serviceaccount", t.release.service_account, t.release.namespace) is None
    refused = t.release.as_operator("get", "secrets", "-n", t.a)
    assert "Forbidden" in refused or "Unauthorized" in refused, "its identity has no rights left"
    time.sleep(3)  # the garbage collector has had its chance
    for name in ("owned", "orphan"):
        assert kubectl.get("externalsecret", name, t.a) is not None
        assert kubectl.secret_data(name, t.a) == {"v": value.encode()}
