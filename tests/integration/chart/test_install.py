"""The rendered chart is accepted by a real kube-apiserver (1.36), in both RBAC modes.

There is no kubelet in the sandbox, so no pod runs: the proof is that the API server
accepts every object as rendered (admission and schema validation included), stores what
the chart says, and that its RBAC authorizer grants the controller and the webhook
exactly what the chart intends (``kubectl auth can-i --as`` the ServiceAccounts).
"""

from __future__ import annotations

from typing import Any

from tests.integration.chart.conftest import TEST_LABEL, Release, kind_arg, merge
from tests.support import Kubectl


def _assert_all_accepted(release: Release) -> None:
    for obj in release.resources:
        live = release.live(obj)
        assert live is not None, f"{kind_arg(obj)}/{obj['metadata']['name']} was not created"
        assert live["metadata"]["labels"].get("app.kubernetes.io/instance") == release.name
        if obj["kind"] in ("ClusterRole", "Role"):
            assert live["rules"] == obj["rules"]
        if obj["kind"] in ("ClusterRoleBinding", "RoleBinding"):
            assert live["subjects"] == obj["subjects"]
            assert live["roleRef"] == obj["roleRef"]
        if obj["kind"] == "Deployment":
            want = obj["spec"]["template"]["spec"]["containers"][0]
            got = live["spec"]["template"]["spec"]["containers"][0]
            assert got["args"] == want["args"]
            assert got["securityContext"] == want["securityContext"]


def test_default_chart_is_accepted(release: Release, kubectl: Kubectl) -> None:
    release.render()
    assert release.crds, "the default render ships the CRDs"
    release.apply()
    _assert_all_accepted(release)
    kinds = sorted({o["kind"] for o in release.resources})
    assert kinds == sorted(
        {
            "ClusterRole", "ClusterRoleBinding", "Deployment", "Role", "RoleBinding", "Secret",
            "Service", "ServiceAccount", "ValidatingWebhookConfiguration",
        }
    )  # fmt: skip
    service = kubectl.get("service", f"{release.name}-webhook", release.namespace)
    assert service is not None
    assert service["spec"]["ports"][0]["port"] == 443
    assert service["spec"]["ports"][0]["targetPort"] == 10250


def test_webhook_configuration_is_stored_as_rendered_and_inert(release: Release, kubectl: Kubectl) -> None:
    release.render()
    release.apply()
    vwc = kubectl.get("validatingwebhookconfiguration", f"{release.name}-webhook")
    assert vwc is not None
    assert vwc["metadata"]["labels"]["external-secrets.io/component"] == "webhook"
    assert len(vwc["webhooks"]) == 5
    for hook in vwc["webhooks"]:
        assert hook["failurePolicy"] == "Ignore"
        assert hook["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": release.namespace}
        assert hook["objectSelector"]["matchLabels"] == {TEST_LABEL: release.namespace}
        assert hook["clientConfig"]["service"]["name"] == f"{release.name}-webhook"
        assert hook["clientConfig"]["service"]["namespace"] == release.namespace
        assert hook["sideEffects"] == "None"
        assert "caBundle" not in hook["clientConfig"]
    # An object the webhook does match: no webhook pod runs, Ignore lets it through.
    kubectl.apply(_store("matched", release.namespace, labels={TEST_LABEL: release.namespace}))
    assert kubectl.get("secretstore.external-secrets.io", "matched", release.namespace) is not None


def test_cluster_mode_rbac_as_the_authorizer_sees_it(release: Release) -> None:
    release.render()
    release.apply()
    sa, webhook = release.name, f"{release.name}-webhook"
    ns = release.namespace
    assert release.can_i(sa, "list", "secrets", "--all-namespaces")
    assert release.can_i(sa, "create", "secrets", "-n", "default")
    assert release.can_i(sa, "create", "serviceaccounts/anyone", "--subresource=token", "-n", "default")
    assert release.can_i(sa, "watch", "clustersecretstores.external-secrets.io")
    assert release.can_i(
        sa, "patch", "externalsecrets.external-secrets.io", "--subresource=status", "-n", "x"
    )
    assert release.can_i(sa, "create", "generatorstates.generators.external-secrets.io", "-n", "x")
    assert not release.can_i(sa, "delete", "namespaces")
    assert not release.can_i(sa, "create", "pods", "-n", ns)
    assert not release.can_i(sa, "patch", "validatingwebhookconfigurations")
    assert not release.can_i(sa, "create", "leases.coordination.k8s.io", "-n", ns)  # leaderElect off
    # the webhook: its Secret, its configuration, nothing else
    assert release.can_i(webhook, "update", f"secrets/{webhook}", "-n", ns)
    assert not release.can_i(webhook, "get", "secrets/other", "-n", ns)
    assert not release.can_i(webhook, "list", "secrets", "-n", ns)
    assert release.can_i(webhook, "patch", f"validatingwebhookconfigurations/{webhook}")
    assert not release.can_i(webhook, "patch", "validatingwebhookconfigurations/someone-else")
    assert not release.can_i(webhook, "get", "externalsecrets.external-secrets.io", "-n", ns)


def test_leader_election_rbac(release: Release) -> None:
    release.values = merge(release.values, {"leaderElect": True, "replicaCount": 2})
    release.render()
    release.apply()
    sa, ns = release.name, release.namespace
    assert release.can_i(sa, "create", "leases.coordination.k8s.io", "-n", ns)
    assert release.can_i(sa, "update", f"leases.coordination.k8s.io/{release.name}-controller", "-n", ns)
    assert not release.can_i(sa, "update", "leases.coordination.k8s.io/other", "-n", ns)
    assert not release.can_i(sa, "create", "leases.coordination.k8s.io", "-n", "default")


def test_namespaced_mode_is_accepted_and_confined(
    release: Release, extra_namespace: str, kubectl: Kubectl
) -> None:
    scope = extra_namespace
    release.values = merge(release.values, {"scopedRBAC": True, "scopedNamespace": scope})
    release.render()
    release.apply()
    _assert_all_accepted(release)
    sa, ns = release.name, release.namespace
    # inside its namespace: everything it needs
    for query in (
        ("list", "secrets"),
        ("create", "secrets"),
        ("delete", "secrets"),
        ("watch", "externalsecrets.external-secrets.io"),
        ("update", "secretstores.external-secrets.io", "--subresource=status"),
        ("create", "serviceaccounts/app", "--subresource=token"),
        ("get", "configmaps"),
        ("create", "events"),
    ):
        assert release.can_i(sa, *query, "-n", scope), query
    # outside it: nothing (the release namespace only for its own identity)
    assert not release.can_i(sa, "list", "secrets", "--all-namespaces")
    assert not release.can_i(sa, "get", "secrets", "-n", ns)
    assert not release.can_i(sa, "get", "secrets", "-n", "default")
    assert not release.can_i(sa, "list", "clustersecretstores.external-secrets.io")
    assert not release.can_i(sa, "list", "clusterexternalsecrets.external-secrets.io")
    assert not release.can_i(sa, "list", "namespaces")
    assert release.can_i(sa, "create", f"serviceaccounts/{sa}", "--subresource=token", "-n", ns)
    assert release.can_i(sa, "get", f"serviceaccounts/{sa}", "-n", ns)
    assert not release.can_i(sa, "create", "serviceaccounts/other", "--subresource=token", "-n", ns)
    # no ClusterRole of this release mentions Secrets
    for obj in release.resources:
        if obj["kind"] == "ClusterRole":
            live = kubectl.get("clusterrole", obj["metadata"]["name"])
            assert live is not None
            assert all("secrets" not in rule.get("resources", []) for rule in live["rules"])
    deployment = kubectl.get("deployment.apps", release.name, ns)
    assert deployment is not None
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert f"--namespace={scope}" in args
    assert "--enable-cluster-store-reconciler=false" in args


def _store(name: str, namespace: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        # a controller class nobody serves: no operator running in this session touches it
        "spec": {"controller": "eso-chart-test-nobody", "provider": {"fake": {"data": []}}},
    }
