"""eso as the chart installs it, minus the pod: its ServiceAccount, its RBAC and its flags.

There is no kubelet in the sandbox, so the controller cannot run as a pod. What makes it
"the chart's controller" is reproduced exactly instead:

* the chart is rendered (Helm's own engine) for a fresh release, with the values given;
  its ServiceAccount and controller RBAC (Roles/ClusterRoles and bindings) are applied to
  the real API server; nothing else (no Deployment, no webhook configuration: CRDs are
  the sandbox's own);
* the controller's identity is that ServiceAccount: a TokenRequest token (``kubectl create
  token``) in a kubeconfig with the sandbox's CA, and nothing else. Every request the
  operator makes is authorized by the chart's RBAC, not by the sandbox admin;
* the operator's settings are parsed by ``eso run``'s own command line parser from the
  arguments of the rendered Deployment; only what a pod would get from its environment is
  added (kubeconfig, the ServiceAccount's name, the AWS emulator's endpoints), plus test
  timings (short backoff) and disabled HTTP listeners.

The operator runs in-process (:class:`tests.support.OperatorRunner`), so its log lines go
to the suite's leak scan. Each release serves its own controller class, so the session
operator (class ``default``) never touches its stores, and vice versa.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from eso.cli import run as eso_run
from eso.settings import ControllerSettings, MetricsSettings, OperatorSettings, ProviderSettings
from tests.support import Kubectl, OperatorRunner, wait_until
from tests.unit.chart.chartlib import render

RBAC_KINDS = ("ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")
CLUSTER_KINDS = ("ClusterRole", "ClusterRoleBinding")
TEST_TIMINGS: dict[str, Any] = {
    "backoff_base": 0.1,
    "backoff_cap": 1.0,
    "permanent_error_retry": 5.0,
    "store_requeue_interval": 30.0,
}
"""Timings a test can wait for (the chart leaves them at their defaults: 1 s to 5 min backoff)."""


def _kind_arg(obj: dict[str, Any]) -> str:
    group = obj["apiVersion"].rpartition("/")[0]
    return f"{obj['kind'].lower()}.{group}" if group else obj["kind"].lower()


@dataclass
class LeastPrivilegeRelease:
    """One chart release whose controller runs in-process as the release's ServiceAccount."""

    kubectl: Kubectl
    admin_kubeconfig: Path
    env: dict[str, str]
    namespace: str
    values: dict[str, Any]
    workdir: Path
    name: str = field(default_factory=lambda: f"eso-lp-{uuid.uuid4().hex[:6]}")
    objects: list[dict[str, Any]] = field(default_factory=list)
    runner: OperatorRunner | None = None
    kubeconfig: Path | None = None

    @property
    def service_account(self) -> str:
        sa = next(o for o in self.objects if o["kind"] == "ServiceAccount")
        return str(sa["metadata"]["name"])

    @property
    def username(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.service_account}"

    def install(self) -> LeastPrivilegeRelease:
        values = {"crds": {"create": False}, "webhook": {"create": False}, **self.values}
        self.objects = render(values, name=self.name, namespace=self.namespace)
        rbac = [o for o in self.objects if o["kind"] in RBAC_KINDS and not _aggregated(o)]
        self.kubectl.apply(rbac)
        self.kubeconfig = self._token_kubeconfig()
        # the API server's authorizer learns new RBAC objects through its own informers: wait
        # for it, so the controller's first LIST is judged by the chart's rules, not refused early
        scope = self.values.get("scopedNamespace")
        where = ["-n", scope] if scope else ["-A"]
        wait_until(lambda: self.can_i("list", "externalsecrets.external-secrets.io", *where), what="RBAC")
        return self

    def settings(self) -> OperatorSettings:
        """``eso run`` with the rendered Deployment's arguments, as the pod would run it."""
        args = list(self._container()["args"])
        assert args[0] == "run", args
        context = eso_run.command.make_context("run", args[1:])
        parsed = eso_run.build_settings(**context.params)
        assert self.kubeconfig is not None
        controller: ControllerSettings = dataclasses.replace(
            parsed.controller, service_account=(self.namespace, self.service_account), **TEST_TIMINGS
        )
        return dataclasses.replace(
            parsed,
            kube=dataclasses.replace(parsed.kube, kubeconfig=str(self.kubeconfig)),
            controller=controller,
            metrics=MetricsSettings(metrics_addr="0", health_addr="0"),
            providers=ProviderSettings(env={k: v for k, v in self.env.items() if k.startswith("AWS_")}),
        )

    def start(self) -> OperatorRunner:
        self.runner = OperatorRunner(self.settings()).start()
        return self.runner

    def stop(self) -> None:
        if self.runner is not None:
            runner, self.runner = self.runner, None
            runner.stop()

    def uninstall(self) -> None:
        """Stop the controller, delete what ``helm uninstall`` deletes of what was applied."""
        self.stop()
        for obj in reversed(self.objects):
            if obj["kind"] in RBAC_KINDS and not _aggregated(obj):
                self.kubectl.delete(_kind_arg(obj), obj["metadata"]["name"], obj["metadata"].get("namespace"))

    def delete_cluster_objects(self) -> None:
        for obj in self.objects:
            if obj["kind"] in CLUSTER_KINDS:
                with contextlib.suppress(AssertionError):
                    self.kubectl.delete(_kind_arg(obj), obj["metadata"]["name"])

    def as_operator(self, *args: str) -> str:
        """kubectl with the operator's own kubeconfig (its ServiceAccount token): stdout and stderr."""
        assert self.kubeconfig is not None
        result = Kubectl(Path(self.kubectl.binary), self.kubeconfig).run(*args, check=False)
        return (result.stdout + result.stderr).strip()

    def can_i(self, *query: str) -> bool:
        """``kubectl auth can-i`` as the operator itself."""
        answer = self.as_operator("auth", "can-i", *query).splitlines()[0]
        assert answer in ("yes", "no"), answer
        return answer == "yes"

    def _container(self) -> dict[str, Any]:
        deployment = next(
            o for o in self.objects if o["kind"] == "Deployment" and o["metadata"]["name"] == self.name
        )
        container: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
        return container

    def _token_kubeconfig(self) -> Path:
        token = self.kubectl.run(
            "create", "token", self.service_account, "-n", self.namespace, "--duration", "1h"
        ).stdout.strip()
        admin = yaml.safe_load(self.admin_kubeconfig.read_text(encoding="utf-8"))
        cluster = admin["clusters"][0]["cluster"]
        assert base64.b64decode(cluster["certificate-authority-data"])
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "sandbox", "cluster": cluster}],
            "users": [{"name": self.service_account, "user": {"token": token}}],
            "contexts": [{"name": "eso", "context": {"cluster": "sandbox", "user": self.service_account}}],
            "current-context": "eso",
        }
        path = self.workdir / f"{self.name}.kubeconfig"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        path.chmod(0o600)
        return path


def _aggregated(obj: dict[str, Any]) -> bool:
    """The ClusterRoles the chart aggregates into the built-in view/edit roles (for users, not eso)."""
    labels = obj["metadata"].get("labels") or {}
    return any(k.startswith("rbac.authorization.k8s.io/aggregate-to-") for k in labels)
