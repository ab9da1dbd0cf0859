"""`make demo`: the seed tutorial, step by step, on a local sandbox, with its manifests unchanged.

Starts a sandbox (real kube-apiserver + AWS emulator), installs eso's CRDs and RBAC
(step 1), creates the IAM policy and role and annotates the ServiceAccount (step 2),
runs ``eso run`` as that ServiceAccount, and plays steps 3 to 7, printing what the
tutorial prints. Everything it started is stopped at the end, also on failure.

Usage: .venv/bin/python hack/demo.py [--keep]   (--keep leaves the sandbox running)
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "fixtures" / "seed"
ESO = [sys.executable, "-m", "eso"]
T = TypeVar("T")


def say(text: str = "") -> None:
    print(text, flush=True)


def step(title: str) -> None:
    say()
    say(f"=== {title}")


class Demo:
    """One run of the tutorial against one sandbox directory."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.env: dict[str, str] = {}
        self.operator: subprocess.Popen[bytes] | None = None
        self.webhook: subprocess.Popen[bytes] | None = None

    # -- plumbing ----------------------------------------------------------------------

    def load_env(self) -> None:
        out = subprocess.run(
            ["/bin/sh", "-c", '. "$1" && env -0', "sh", str(self.dir / "env")],
            capture_output=True,
            check=True,
            env={"PATH": os.environ.get("PATH", "")},
        ).stdout.decode()
        self.env = dict(os.environ)
        self.env.update(dict(item.split("=", 1) for item in out.split("\0") if "=" in item))

    def kubectl(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["kubectl", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise SystemExit(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def show(self, *args: str, stdin: str | None = None) -> str:
        say("$ kubectl " + " ".join(args))
        out = self.kubectl(*args, stdin=stdin).stdout.rstrip()
        say(out)
        return out

    def aws(self, service: str) -> Any:
        import boto3

        return boto3.session.Session(
            region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test"
        ).client(service, endpoint_url=self.env["AWS_ENDPOINT_URL"])

    @staticmethod
    def wait(predicate: Callable[[], T | None], what: str, timeout: float = 60) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.5)
        raise SystemExit(f"timed out waiting for {what}")

    def get(self, kind: str, name: str, namespace: str) -> dict[str, Any] | None:
        result = self.kubectl("get", kind, name, "-n", namespace, "-o", "json", check=False)
        return json.loads(result.stdout) if result.returncode == 0 else None

    # -- the tutorial ------------------------------------------------------------------------

    def up(self) -> None:
        step("Sandbox: real etcd, kube-apiserver, kube-controller-manager and an AWS emulator on 127.0.0.1")
        subprocess.run([*ESO, "dev", "up", "--dir", str(self.dir)], check=True)
        self.load_env()
        self.show("version", "-o", "yaml")

    def step1_install(self) -> None:
        step("Step 1: install eso (the chart rendered to deploy/manifests/eso.yaml)")
        manifests = ROOT / "deploy" / "manifests" / "eso.yaml"
        say(f"$ kubectl apply --server-side -f {manifests.relative_to(ROOT)}")
        self.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(manifests))
        self.show("get", "deployments,serviceaccounts,services", "-n", "external-secrets")
        self.show("get", "crd", "-l", "external-secrets.io/component=controller", "-o", "name")
        say("(no kubelet runs in the sandbox: the Deployments stay unscheduled; eso runs locally below)")
        self.start_webhook()

    def start_webhook(self) -> None:
        """Run the admission webhook on 127.0.0.1 and point the chart's webhook configuration at it."""
        port = _free_port()
        log = open(self.dir / "logs" / "eso-webhook.log", "wb")  # noqa: SIM115 - closed with the process
        self.webhook = subprocess.Popen(
            [
                *ESO,
                "webhook",
                "--port",
                str(port),
                "--bind-address",
                "127.0.0.1",
                "--extra-ip",
                "127.0.0.1",
                "--service-name",
                "external-secrets-webhook",
                "--service-namespace",
                "external-secrets",
                "--secret-name",
                "external-secrets-webhook",
                "--secret-namespace",
                "external-secrets",
                "--cert-dir",
                str(self.dir / "webhook-certs"),
                "--healthz-addr",
                "0",
                "--metrics-addr",
                "0",
                "--service-account",
                "external-secrets/external-secrets",
                "--log-format",
                "json",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        name = "external-secrets-webhook"
        config = json.loads(self.kubectl("get", "validatingwebhookconfiguration", name, "-o", "json").stdout)
        for hook in config["webhooks"]:
            path = hook["clientConfig"]["service"]["path"]
            hook["clientConfig"] = {"url": f"https://127.0.0.1:{port}{path}"}
        self.kubectl("replace", "-f", "-", stdin=json.dumps(config))

        def injected() -> bool:
            live = json.loads(
                self.kubectl("get", "validatingwebhookconfiguration", name, "-o", "json").stdout
            )
            return all(h["clientConfig"].get("caBundle") for h in live["webhooks"])

        self.wait(injected, "the webhook's CA bundle")
        say(f"eso webhook serving on https://127.0.0.1:{port} (certificate and caBundle made by eso itself)")

    def service_account_kubeconfig(self) -> Path:
        """A kubeconfig that authenticates as external-secrets/external-secrets (the chart's RBAC applies)."""
        token = self.kubectl(
            "create", "token", "external-secrets", "-n", "external-secrets", "--duration", "24h"
        ).stdout.strip()
        admin = yaml.safe_load((self.dir / "kubeconfig").read_text())
        cluster = admin["clusters"][0]
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "eso",
            "clusters": [{"name": "sandbox", "cluster": cluster["cluster"]}],
            "users": [{"name": "external-secrets", "user": {"token": token}}],
            "contexts": [{"name": "eso", "context": {"cluster": "sandbox", "user": "external-secrets"}}],
        }
        path = self.dir / "eso-serviceaccount.kubeconfig"
        path.write_text(yaml.safe_dump(config))
        path.chmod(0o600)
        return path

    def step2_iam(self) -> None:
        step("Step 2: IAM policy, role with trust policy, annotated ServiceAccount (IRSA)")
        iam = self.aws("iam")
        policy = (SEED / "eso-secrets-policy.json").read_text()
        trust = (SEED / "trust-policy.json").read_text()
        arn = iam.create_policy(PolicyName="ExternalSecretsOperatorPolicy", PolicyDocument=policy)["Policy"][
            "Arn"
        ]
        role = iam.create_role(RoleName="external-secrets-role", AssumeRolePolicyDocument=trust)["Role"][
            "Arn"
        ]
        iam.attach_role_policy(RoleName="external-secrets-role", PolicyArn=arn)
        say(f"created policy {arn}")
        say(f"created role   {role} (trust: system:serviceaccount:external-secrets:external-secrets)")
        self.show(
            "annotate",
            "serviceaccount",
            "external-secrets",
            "-n",
            "external-secrets",
            f"eks.amazonaws.com/role-arn={role}",
            "--overwrite",
        )

    def start_operator(self) -> None:
        step("eso run, authenticated as ServiceAccount external-secrets/external-secrets (the chart's RBAC)")
        kubeconfig = self.service_account_kubeconfig()
        log = open(self.dir / "logs" / "eso-run.log", "wb")  # noqa: SIM115 - closed with the process
        self.operator = subprocess.Popen(
            [
                *ESO,
                "run",
                "--kubeconfig",
                str(kubeconfig),
                "--service-account",
                "external-secrets/external-secrets",
                "--metrics-addr",
                "0",
                "--live-addr",
                "0",
                "--log-format",
                "json",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        say(f"eso run started (pid {self.operator.pid}); logs in {self.dir / 'logs' / 'eso-run.log'}")

    def step3_store(self) -> None:
        step("Step 3: SecretStore (secret-store.yaml, unchanged)")
        self.show("apply", "-f", str(SEED / "secret-store.yaml"))
        self.wait(
            lambda: _ready(self.get("secretstore", "aws-secrets-store", "default")), "SecretStore Ready"
        )
        self.show("get", "secretstore", "aws-secrets-store", "-o", "jsonpath={.status.conditions[0].type}")

    def step4_secrets(self) -> None:
        step("Step 4: secrets in AWS Secrets Manager (eu-west-1)")
        sm = self.aws("secretsmanager")
        database = '{"username":"dbadmin","password":"s3cur3P@ssw0rd!","host":"mydb.example.com","port":5432}'
        for name, value in (("myapp-database", database), ("myapp-api-key", "sk-abc123def456ghi789jkl")):
            arn = sm.create_secret(Name=name, SecretString=value)["ARN"]
            say(f"created secret {name}: {arn}")

    def step5_external_secrets(self) -> None:
        step(
            "Step 5: ExternalSecrets (external-secret-api-key.yaml, external-secret-database.yaml, unchanged)"
        )
        for name in ("external-secret-api-key.yaml", "external-secret-database.yaml"):
            self.show("apply", "-f", str(SEED / name))
        for name in ("myapp-api-key", "myapp-database"):
            self.wait(
                lambda n=name: _synced(self.get("externalsecret", n, "default")), f"ExternalSecret {name}"
            )
        step("Step 5.3: the generated Secrets")
        self.show("get", "secrets", "myapp-api-key-secret", "myapp-database-secret")
        say("$ kubectl get secret myapp-api-key-secret -o jsonpath='{.data.api-key}' | base64 -d")
        raw = self.kubectl("get", "secret", "myapp-api-key-secret", "-o", "jsonpath={.data.api-key}").stdout
        say(base64.b64decode(raw).decode())

    def step6_pod_env(self) -> None:
        step("Step 6: the consuming pod (consumer-pod.yaml, unchanged; no kubelet runs here)")
        self.show("apply", "-f", str(SEED / "consumer-pod.yaml"))
        pod = yaml.safe_load((SEED / "consumer-pod.yaml").read_text())
        say("environment the pod would get (resolved from the Secrets):")
        for var in pod["spec"]["containers"][0]["env"]:
            ref = var["valueFrom"]["secretKeyRef"]
            secret = self.get("secret", ref["name"], "default") or {}
            value = base64.b64decode((secret.get("data") or {}).get(ref["key"], "")).decode()
            say(f"{var['name']}={value}")

    def table(self) -> None:
        step("kubectl get externalsecrets")
        self.show("get", "externalsecrets")

    def step7_push(self) -> None:
        step("Step 7: PushSecret (push-secret.yaml, unchanged)")
        say(f"$ kubectl apply -f {SEED / 'push-secret.yaml'}")
        verbatim = self.kubectl("apply", "-f", str(SEED / "push-secret.yaml"), check=False)
        say((verbatim.stdout + verbatim.stderr).rstrip())
        if verbatim.returncode == 0:
            self.wait(
                lambda: _condition_message(self.get("pushsecret", "push-myapp-secret", "default")),
                "PushSecret status",
            )
            say("status: " + str(_condition_message(self.get("pushsecret", "push-myapp-secret", "default"))))
        fixed = yaml.safe_load((SEED / "push-secret.yaml").read_text())
        fixed["spec"]["selector"] = {"secret": {"name": "myapp-push-source"}}
        say("with spec.selector.secret.name: myapp-push-source (a Secret holding the key myapp-api-key):")
        self.kubectl(
            "create",
            "secret",
            "generic",
            "myapp-push-source",
            "--from-literal=myapp-api-key=sk-abc123def456ghi789jkl",
            check=False,
        )
        self.show("apply", "-f", "-", stdin=yaml.safe_dump(fixed))
        sm = self.aws("secretsmanager")

        def pushed() -> str | None:
            try:
                return str(
                    sm.get_secret_value(SecretId="myapp-api-key-pushed").get("SecretString")
                    or sm.get_secret_value(SecretId="myapp-api-key-pushed")["SecretBinary"].decode()
                )
            except sm.exceptions.ResourceNotFoundException:
                return None

        value = self.wait(pushed, "the pushed secret", timeout=60)
        say(f"aws secretsmanager get-secret-value --secret-id myapp-api-key-pushed → {value}")

    def down(self) -> None:
        for proc in (self.operator, self.webhook):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        subprocess.run([*ESO, "dev", "down", "--dir", str(self.dir)], check=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(obj: dict[str, Any] | None) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in ((obj or {}).get("status") or {}).get("conditions") or []
    )


def _synced(obj: dict[str, Any] | None) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("reason") == "SecretSynced"
        for c in ((obj or {}).get("status") or {}).get("conditions") or []
    )


def _condition_message(obj: dict[str, Any] | None) -> str | None:
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return f"{c.get('reason')}: {c.get('message')}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="leave the sandbox running")
    parser.add_argument("--dir", type=Path, default=None, help="sandbox directory (default: a new temp dir)")
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="eso-demo-"))
    demo = Demo(directory)
    start = time.monotonic()
    try:
        demo.up()
        demo.step1_install()
        demo.step2_iam()
        demo.start_operator()
        demo.step3_store()
        demo.step4_secrets()
        demo.step5_external_secrets()
        demo.step6_pod_env()
        demo.table()
        demo.step7_push()
    finally:
        if args.keep:
            say(
                f"\nsandbox left running: source {directory / 'env'}; "
                f"stop with: eso dev down --dir {directory}"
            )
        else:
            demo.down()
            if args.dir is None:
                shutil.rmtree(directory, ignore_errors=True)
    say(f"\ndemo finished in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
