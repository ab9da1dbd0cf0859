"""RBAC in both modes: what the controller and the webhook may do, and nothing more.

Cluster mode: one ClusterRole for the controller. Namespaced mode: Roles only, in
``scopedNamespace`` (plus the controller's own identity and Lease in the release
namespace); no ClusterRole grants anything on Secrets. The webhook gets its one Secret and
its one ValidatingWebhookConfiguration.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.chart.chartlib import NAMESPACE, RELEASE, generated_crds, grants, of_kind, one, render

SCOPED = {"scopedRBAC": True, "scopedNamespace": "team-a"}
CLUSTER_KINDS = ("clustersecretstores", "clusterexternalsecrets", "clusterpushsecrets")
SECRET_WRITES = ("create", "update", "patch", "delete")


def _rules(obj: dict[str, Any]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = obj["rules"]
    return rules


def _controller_role(objects: list[dict[str, Any]], kind: str = "ClusterRole") -> list[dict[str, Any]]:
    return _rules(one(objects, kind, f"{RELEASE}-controller"))


def test_cluster_mode_controller_rules() -> None:
    rules = _controller_role(render())
    for verb in ("get", "list", "watch", *SECRET_WRITES):
        assert grants(rules, "", "secrets", verb), verb
    for resource in ("configmaps", "serviceaccounts", "namespaces"):
        for verb in ("get", "list", "watch"):
            assert grants(rules, "", resource, verb), (resource, verb)
    assert not grants(rules, "", "configmaps", "update")
    assert not grants(rules, "", "serviceaccounts", "update")
    assert grants(rules, "", "serviceaccounts/token", "create")
    assert grants(rules, "", "events", "create")
    assert grants(rules, "", "events", "patch")
    for kind in ("secretstores", "externalsecrets", "pushsecrets", *CLUSTER_KINDS):
        for verb in ("get", "list", "watch", "update", "patch"):
            assert grants(rules, "external-secrets.io", kind, verb), (kind, verb)
        for sub in ("status", "finalizers"):
            for verb in ("update", "patch"):
                assert grants(rules, "external-secrets.io", f"{kind}/{sub}", verb), (kind, sub, verb)
    # children of ClusterExternalSecret and ClusterPushSecret
    for kind in ("externalsecrets", "pushsecrets"):
        assert grants(rules, "external-secrets.io", kind, "create")
        assert grants(rules, "external-secrets.io", kind, "delete")
    assert not grants(rules, "external-secrets.io", "secretstores", "create")
    assert not grants(rules, "external-secrets.io", "clustersecretstores", "delete")
    for verb in ("get", "list", "watch", "create", "update", "patch", "delete"):
        assert grants(rules, "generators.external-secrets.io", "generatorstates", verb), verb
    # ClusterExternalSecret finalizers on Namespaces
    assert grants(rules, "", "namespaces", "patch")
    assert not grants(rules, "", "namespaces", "delete")


def test_no_wildcards_anywhere() -> None:
    for values in ({}, SCOPED, {"leaderElect": True}):
        for obj in render(values):
            for rule in obj.get("rules", []) if obj["kind"] in ("Role", "ClusterRole") else []:
                for key in ("apiGroups", "resources", "verbs"):
                    assert "*" not in rule.get(key, []), (obj["metadata"]["name"], rule)


def test_every_crd_is_readable_by_the_controller() -> None:
    rules = _controller_role(render())
    for crd in generated_crds().values():
        group, plural = crd["spec"]["group"], crd["spec"]["names"]["plural"]
        for verb in ("get", "list", "watch"):
            assert grants(rules, group, plural, verb), (
                f"the chart's ClusterRole cannot {verb} {plural}.{group}"
            )


def test_every_namespaced_crd_is_readable_in_namespaced_mode() -> None:
    rules = _controller_role(render(SCOPED), "Role")
    for crd in generated_crds().values():
        group, plural = crd["spec"]["group"], crd["spec"]["names"]["plural"]
        readable = grants(rules, group, plural, "list")
        assert readable == (crd["spec"]["scope"] == "Namespaced"), plural


def test_cluster_mode_binds_the_controller_service_account() -> None:
    objects = render()
    binding = one(objects, "ClusterRoleBinding", f"{RELEASE}-controller")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": f"{RELEASE}-controller",
    }
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": RELEASE, "namespace": NAMESPACE}]


def test_namespaced_mode_has_no_cluster_role_granting_secrets() -> None:
    objects = render(SCOPED)
    for role in of_kind(objects, "ClusterRole"):
        for rule in _rules(role):
            assert "secrets" not in rule.get("resources", []), role["metadata"]["name"]
            assert "" not in rule.get("apiGroups", []), role["metadata"]["name"]
    # the only ClusterRole left is the webhook's, limited to webhook configurations
    assert [r["metadata"]["name"] for r in of_kind(objects, "ClusterRole")] == [f"{RELEASE}-webhook"]
    assert [b["metadata"]["name"] for b in of_kind(objects, "ClusterRoleBinding")] == [f"{RELEASE}-webhook"]


def test_namespaced_mode_roles_live_in_the_scoped_namespace() -> None:
    objects = render(SCOPED)
    role = one(objects, "Role", f"{RELEASE}-controller")
    assert role["metadata"]["namespace"] == "team-a"
    rules = _rules(role)
    for verb in ("get", "list", "watch", *SECRET_WRITES):
        assert grants(rules, "", "secrets", verb)
    for kind in CLUSTER_KINDS:
        assert not any(kind in r.get("resources", []) for r in rules), kind
        assert not any(f"{kind}/status" in r.get("resources", []) for r in rules), kind
    assert not grants(rules, "", "namespaces", "get")
    assert not grants(rules, "generators.external-secrets.io", "clustergenerators", "get")
    # ExternalSecrets and PushSecrets are never created or deleted (no cluster kinds)
    assert not grants(rules, "external-secrets.io", "externalsecrets", "create")
    binding = one(objects, "RoleBinding", f"{RELEASE}-controller")
    assert binding["metadata"]["namespace"] == "team-a"
    assert binding["roleRef"]["kind"] == "Role"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": RELEASE, "namespace": NAMESPACE}]


def test_namespaced_mode_identity_role_is_limited_to_the_own_service_account() -> None:
    objects = render(SCOPED)
    role = one(objects, "Role", f"{RELEASE}-controller-identity")
    assert role["metadata"]["namespace"] == NAMESPACE
    for rule in _rules(role):
        assert rule["resourceNames"] == [RELEASE]
        assert rule["apiGroups"] == [""]
    resources = {res for rule in _rules(role) for res in rule["resources"]}
    assert resources == {"serviceaccounts", "serviceaccounts/token"}
    token_rule = next(r for r in _rules(role) if r["resources"] == ["serviceaccounts/token"])
    assert token_rule["verbs"] == ["create"]


def test_namespaced_mode_disables_the_cluster_reconcilers() -> None:
    controller = one(render(SCOPED), "Deployment", RELEASE)
    args = controller["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--namespace=team-a" in args
    for flag in (
        "--enable-cluster-store-reconciler=false",
        "--enable-cluster-external-secret-reconciler=false",
        "--enable-cluster-push-secret-reconciler=false",
    ):
        assert flag in args


def test_cluster_kinds_can_be_switched_off_one_by_one() -> None:
    rules = _controller_role(render({"processClusterExternalSecret": False}))
    assert not any("clusterexternalsecrets" in r["resources"] for r in rules)
    assert grants(rules, "external-secrets.io", "clustersecretstores", "list")
    # no ClusterExternalSecret: no ExternalSecret creation, no Namespace writes
    assert not grants(rules, "external-secrets.io", "externalsecrets", "create")
    assert grants(rules, "external-secrets.io", "pushsecrets", "create")
    assert not grants(rules, "", "namespaces", "patch")
    args = one(render({"processClusterExternalSecret": False}), "Deployment", RELEASE)["spec"]["template"][
        "spec"
    ]["containers"][0]["args"]
    assert "--enable-cluster-external-secret-reconciler=false" in args
    assert "--enable-cluster-store-reconciler=false" not in args


def test_leader_election_role_only_with_leader_election() -> None:
    assert not [r for r in of_kind(render(), "Role") if r["metadata"]["name"].endswith("-leaderelection")]
    objects = render({"leaderElect": True})
    role = one(objects, "Role", f"{RELEASE}-leaderelection")
    assert role["metadata"]["namespace"] == NAMESPACE
    create, named = _rules(role)
    assert create == {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]}
    assert named["resourceNames"] == [f"{RELEASE}-controller"]
    assert "delete" not in named["verbs"]
    binding = one(objects, "RoleBinding", f"{RELEASE}-leaderelection")
    assert binding["subjects"][0]["name"] == RELEASE


@pytest.mark.parametrize("values", [{}, SCOPED], ids=["cluster", "namespaced"])
def test_webhook_rbac_is_its_secret_and_its_configuration(values: dict[str, Any]) -> None:
    objects = render(values)
    name = f"{RELEASE}-webhook"
    role = one(objects, "Role", name)
    assert role["metadata"]["namespace"] == NAMESPACE
    assert _rules(role) == [
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "resourceNames": [name],
            "verbs": ["get", "list", "watch", "update", "patch"],
        }
    ]
    cluster_role = one(objects, "ClusterRole", name)
    for rule in _rules(cluster_role):
        assert rule["apiGroups"] == ["admissionregistration.k8s.io"]
        assert rule["resources"] == ["validatingwebhookconfigurations"]
        writes = {"update", "patch", "create", "delete"} & set(rule["verbs"])
        if writes:
            assert rule["resourceNames"] == [name]
            assert writes == {"update", "patch"}
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        binding = one(objects, kind, name)
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": name, "namespace": NAMESPACE}]
    # and the webhook's ServiceAccount is bound to nothing else
    bound = [
        o["metadata"]["name"]
        for o in objects
        if o["kind"] in ("RoleBinding", "ClusterRoleBinding")
        and any(s["name"] == name for s in o["subjects"])
    ]
    assert sorted(bound) == [name, name]


def test_aggregated_roles_never_touch_secrets_and_only_in_cluster_mode() -> None:
    objects = render()
    for name in (f"{RELEASE}-view", f"{RELEASE}-edit"):
        role = one(objects, "ClusterRole", name)
        for rule in _rules(role):
            assert "" not in rule["apiGroups"]
    assert (
        one(objects, "ClusterRole", f"{RELEASE}-view")["metadata"]["labels"][
            "rbac.authorization.k8s.io/aggregate-to-view"
        ]
        == "true"
    )
    assert not [
        r
        for r in of_kind(render(SCOPED), "ClusterRole")
        if r["metadata"]["name"].endswith(("-view", "-edit"))
    ]


def test_rbac_create_false_renders_no_rbac() -> None:
    objects = render({"rbac": {"create": False}})
    assert not [o for o in objects if o["apiVersion"].startswith("rbac.authorization.k8s.io/")]
