"""PushSecret → fake store against a real API server: the core push loop, sources, stores, templates.

The pushed values are read back through the store's own client in the operator.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.integration.builders import events_for, external_secret, fake_store, secret, wait_store_ready
from tests.integration.pushsecret.helpers import (
    assert_no_value_in_status_or_events,
    entry,
    fake_value,
    push_secret,
    store_ref,
    synced_map,
    wait_ps,
    wait_ps_message,
    wait_version_change,
)
from tests.support import Kubectl, OperatorRunner, ready_condition, sensitive, wait_until

SOURCE_LABEL = {"pushsecret.external-secrets.io/source": "true"}


def _store(kubectl: Kubectl, namespace: str, name: str = "fake", **meta: Any) -> None:
    store = fake_store(namespace, {"static": "from-spec"}, name=name)
    store["metadata"].update(meta)
    kubectl.apply(store)
    wait_store_ready(kubectl, "secretstore", name, namespace)


def test_push_to_fake_records_status_and_events_without_values(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    value = sensitive("fake-push-value-9d1e")
    _store(kubectl, namespace)
    kubectl.apply(secret(namespace, "src", {"api-key": value, "other": "x"}))
    kubectl.apply(
        push_secret(
            namespace, "ps", stores=[store_ref("fake")], source="src", data=[entry("api-key", "remote-api")]
        )
    )
    ps = wait_ps(kubectl, "ps", namespace)
    assert fake_value(operator, namespace, "fake", "remote-api") == value.encode()
    cond = ready_condition(ps) or {}
    assert cond["status"] == "True"
    assert cond["message"] == "PushSecret synced successfully"
    assert synced_map(ps) == {
        "SecretStore/fake": {
            "remote-api": {"match": {"secretKey": "api-key", "remoteRef": {"remoteKey": "remote-api"}}}
        }
    }
    assert ps["status"]["refreshTime"]
    assert "finalizers" not in ps["metadata"], "deletionPolicy None: no finalizer"
    assert "updatePolicy" not in ps["spec"], "defaults are not written back"
    reasons = {e["reason"] for e in events_for(kubectl, namespace, "ps")}
    assert "Synced" in reasons
    assert_no_value_in_status_or_events(kubectl, "ps", namespace, value)


def test_labelled_source_change_is_pushed_within_seconds_and_unlabelled_sources_are_not_cached(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace)
    kubectl.apply(secret(namespace, "watched", {"k": "v1"}, labels=SOURCE_LABEL))
    kubectl.apply(secret(namespace, "plain", {"k": "p1"}))
    kubectl.apply(
        push_secret(namespace, "ps-w", stores=[store_ref("fake")], source="watched", data=[entry("k", "w")])
    )
    kubectl.apply(
        push_secret(namespace, "ps-p", stores=[store_ref("fake")], source="plain", data=[entry("k", "p")])
    )
    wait_ps(kubectl, "ps-w", namespace)
    wait_ps(kubectl, "ps-p", namespace)
    cached = {
        (obj["metadata"].get("namespace"), obj["metadata"]["name"])
        for informer in operator.operator.wiring.informers.values()
        if informer.info.plural == "secrets"
        for obj in informer.items()
    }
    assert (namespace, "watched") in cached
    assert (namespace, "plain") not in cached, "an unlabelled source Secret is never held in memory"

    kubectl.apply(secret(namespace, "watched", {"k": "v2"}, labels=SOURCE_LABEL))
    kubectl.apply(secret(namespace, "plain", {"k": "p2"}))
    wait_until(
        lambda: fake_value(operator, namespace, "fake", "w") == b"v2",
        timeout=10,
        what="labelled source pushed",
    )
    time.sleep(1.0)
    assert fake_value(operator, namespace, "fake", "p") == b"p1", "an unwatched source waits for its refresh"
    # any change of the PushSecret re-reads its source and pushes the new value
    kubectl.run("annotate", "pushsecret", "ps-p", "-n", namespace, "touch=1")
    wait_until(
        lambda: fake_value(operator, namespace, "fake", "p") == b"p2", timeout=10, what="re-read on change"
    )


def test_template_renders_over_the_source_keys(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace)
    kubectl.apply(secret(namespace, "db", {"user": "admin", "host": "db.local"}))
    template = {"data": {"dsn": "postgres://{{ .user }}@{{ .host }}/app"}}
    kubectl.apply(
        push_secret(
            namespace,
            "ps",
            stores=[store_ref("fake")],
            source="db",
            data=[entry("dsn", "dsn"), entry("user", "user")],
            template=template,
        )
    )
    wait_ps(kubectl, "ps", namespace)
    assert fake_value(operator, namespace, "fake", "dsn") == b"postgres://admin@db.local/app"
    assert fake_value(operator, namespace, "fake", "user") == b"admin", "existing keys are kept"


def test_label_selectors_choose_stores_and_source_secrets(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace, "team-a", labels={"team": "a"})
    _store(kubectl, namespace, "team-b", labels={"team": "b"})
    kubectl.apply(secret(namespace, "one", {"k": "1"}, labels={"push": "yes"}))
    kubectl.apply(secret(namespace, "two", {"j": "2"}, labels={"push": "no"}))
    spec = {
        "secretStoreRefs": [{"kind": "SecretStore", "labelSelector": {"matchLabels": {"team": "a"}}}],
        "selector": {"secret": {"selector": {"matchLabels": {"push": "yes"}}}},
        "data": [entry("k", "selected")],
    }
    kubectl.apply(
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": "ps", "namespace": namespace},
            "spec": spec,
        }
    )
    ps = wait_ps(kubectl, "ps", namespace)
    assert list(synced_map(ps)) == ["SecretStore/team-a"]
    assert fake_value(operator, namespace, "team-a", "selected") == b"1"
    assert fake_value(operator, namespace, "team-b", "selected") is None


def test_a_source_in_another_namespace_cannot_be_pushed(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    other = f"{namespace[:50]}-other"
    kubectl.run("create", "namespace", other)
    try:
        hidden = sensitive("other-namespace-value-51b7")
        kubectl.apply(secret(other, "shared", {"k": hidden}))
        _store(kubectl, namespace)
        kubectl.apply(
            push_secret(
                namespace, "ps", stores=[store_ref("fake")], source="shared", data=[entry("k", "stolen")]
            )
        )
        cond = wait_ps_message(kubectl, "ps", namespace, "not found")
        assert cond["reason"] == "Errored"
        assert f'Secret "shared" not found in namespace {namespace}' in cond["message"]
        # a namespace cannot be smuggled into the name either: the API server refuses it
        bad = push_secret(
            namespace, "ps2", stores=[store_ref("fake")], source=f"{other}/shared", data=[entry("k", "x")]
        )
        refused = kubectl.run("apply", "-f", "-", stdin=json.dumps(bad), check=False)
        assert refused.returncode != 0
        assert fake_value(operator, namespace, "fake", "stolen") is None
        assert_no_value_in_status_or_events(kubectl, "ps", namespace, hidden)
    finally:
        kubectl.delete("namespace", other)


def test_data_to_pushes_matched_keys_renamed_and_bundled(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace)
    kubectl.apply(secret(namespace, "src", {"db-user": "u", "db-pass": "p", "other": "o"}))
    spec = {
        "secretStoreRefs": [store_ref("fake")],
        "selector": {"secret": {"name": "src"}},
        "dataTo": [
            {
                "storeRef": store_ref("fake"),
                "match": {"regexp": "^db-"},
                "rewrite": [{"regexp": {"source": "^db-(.*)$", "target": "app/$1"}}],
            },
            {"storeRef": store_ref("fake"), "match": {"regexp": "^db-"}, "remoteKey": "bundle"},
        ],
        "data": [entry("db-user", "explicit-user")],
    }
    kubectl.apply(
        {
            "apiVersion": "external-secrets.io/v1alpha1",
            "kind": "PushSecret",
            "metadata": {"name": "ps", "namespace": namespace},
            "spec": spec,
        }
    )
    ps = wait_ps(kubectl, "ps", namespace)
    assert fake_value(operator, namespace, "fake", "app/pass") == b"p"
    assert fake_value(operator, namespace, "fake", "app/user") is None, "explicit data wins for db-user"
    assert fake_value(operator, namespace, "fake", "explicit-user") == b"u"
    assert json.loads(fake_value(operator, namespace, "fake", "bundle") or b"{}") == {
        "db-pass": "p",
        "db-user": "u",
    }
    assert sorted(synced_map(ps)["SecretStore/fake"]) == ["app/pass", "bundle", "explicit-user"]


def test_deletion_policy_delete_removes_dropped_entries_and_everything_on_deletion(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace)
    kubectl.apply(secret(namespace, "src", {"a": "1", "b": "2"}))
    ps = push_secret(
        namespace,
        "ps",
        stores=[store_ref("fake")],
        source="src",
        data=[entry("a", "ra"), entry("b", "rb")],
        deletionPolicy="Delete",
    )
    kubectl.apply(ps)
    obj = wait_ps(kubectl, "ps", namespace)
    assert obj["metadata"]["finalizers"] == ["pushsecret.externalsecrets.io/finalizer"]
    version = obj["status"]["syncedResourceVersion"]
    ps["spec"]["data"] = [entry("a", "ra")]
    kubectl.apply(ps)
    obj = wait_version_change(kubectl, "ps", namespace, version)
    assert sorted(synced_map(obj)["SecretStore/fake"]) == ["ra"]
    assert fake_value(operator, namespace, "fake", "rb") is None, (
        "an entry removed from the spec is deleted remotely"
    )
    assert fake_value(operator, namespace, "fake", "ra") == b"1"
    store = kubectl.get("secretstore", "fake", namespace) or {}
    wait_until(
        lambda: (
            "secretstore.externalsecrets.io/finalizer"
            in ((kubectl.get("secretstore", "fake", namespace) or {}).get("metadata") or {}).get(
                "finalizers", []
            )
        ),
        what="store finalizer while in use",
    )
    del store
    kubectl.delete("pushsecret", "ps", namespace)
    wait_until(lambda: kubectl.get("pushsecret", "ps", namespace) is None, what="PushSecret gone")
    assert fake_value(operator, namespace, "fake", "ra") is None
    wait_until(
        lambda: (
            not ((kubectl.get("secretstore", "fake", namespace) or {}).get("metadata") or {}).get(
                "finalizers"
            )
        ),
        what="store finalizer removed when unused",
    )


def test_deleted_source_with_delete_policy_cleans_up_the_provider(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    _store(kubectl, namespace)
    kubectl.apply(secret(namespace, "src", {"a": "1"}, labels=SOURCE_LABEL))
    kubectl.apply(
        push_secret(
            namespace,
            "ps",
            stores=[store_ref("fake")],
            source="src",
            data=[entry("a", "ra")],
            deletionPolicy="Delete",
        )
    )
    wait_ps(kubectl, "ps", namespace)
    kubectl.delete("secret", "src", namespace)
    ps = wait_ps(kubectl, "ps", namespace, reason="SourceDeleted")
    assert (ready_condition(ps) or {})["message"] == "source secret deleted; provider secrets cleaned up"
    assert not synced_map(ps)
    assert fake_value(operator, namespace, "fake", "ra") is None


def test_a_secret_made_by_an_external_secret_is_watched_as_a_source(
    operator: OperatorRunner, kubectl: Kubectl, namespace: str
) -> None:
    """ExternalSecret → Secret → PushSecret: the managed-Secret cache eso holds anyway feeds the push."""
    kubectl.apply(fake_store(namespace, {"db": "one"}, name="upstream"))
    _store(kubectl, namespace, "downstream")
    wait_store_ready(kubectl, "secretstore", "upstream", namespace)
    kubectl.apply(
        external_secret(
            namespace,
            "es",
            {
                "refreshInterval": "1h",
                "secretStoreRef": {"name": "upstream", "kind": "SecretStore"},
                "target": {"name": "chain"},
                "data": [{"secretKey": "db", "remoteRef": {"key": "db"}}],
            },
        )
    )
    wait_until(lambda: kubectl.secret_data("chain", namespace), what="ES target Secret")
    kubectl.apply(
        push_secret(
            namespace, "ps", stores=[store_ref("downstream")], source="chain", data=[entry("db", "copy")]
        )
    )
    wait_ps(kubectl, "ps", namespace)
    assert fake_value(operator, namespace, "downstream", "copy") == b"one"
    kubectl.apply(fake_store(namespace, {"db": "two"}, name="upstream"))
    kubectl.run("annotate", "externalsecret", "es", "-n", namespace, "external-secrets.io/force-sync=1")
    wait_until(lambda: kubectl.secret_data("chain", namespace) == {"db": b"two"}, what="ES refreshed")
    wait_until(
        lambda: fake_value(operator, namespace, "downstream", "copy") == b"two",
        timeout=15,
        what="chained push",
    )


def test_a_generator_can_be_the_source(operator: OperatorRunner, kubectl: Kubectl, namespace: str) -> None:
    _store(kubectl, namespace)
    kubectl.apply(
        {
            "apiVersion": "generators.external-secrets.io/v1alpha1",
            "kind": "Password",
            "metadata": {"name": "pw", "namespace": namespace},
            "spec": {"length": 20},
        }
    )
    generator_ref = {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "Password",
        "name": "pw",
    }
    ps = push_secret(namespace, "ps", stores=[store_ref("fake")], data=[entry("password", "generated")])
    ps["spec"]["selector"] = {"generatorRef": generator_ref}
    kubectl.apply(ps)
    wait_ps(kubectl, "ps", namespace)
    value = fake_value(operator, namespace, "fake", "generated")
    assert value is not None
    assert len(value) == 20
    assert_no_value_in_status_or_events(kubectl, "ps", namespace, value.decode())
