"""Helpers shared by integration and e2e tests: an in-process operator, kubectl, polling."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

from eso.logging import configure
from eso.operator.app import Operator
from eso.settings import ControllerSettings, KubeSettings, MetricsSettings, OperatorSettings, ProviderSettings

T = TypeVar("T")

LOG_BUFFER = io.StringIO()
"""Every log line of in-process operators during the test session (scanned for leaks)."""

SENSITIVE: set[str] = {
    "s3cur3P@ssw0rd!",
    "sk-abc123def456ghi789jkl",
    "do-not-leak-4f9c2e",
}
"""Secret values used by tests; none may appear in a log line, Event, status or metric.

Registered with :func:`sensitive`; also, automatically, every value of a Secret or of a
fake store applied with :meth:`Kubectl.apply` (see :func:`register_manifest_values`).
"""

MIN_SENSITIVE = 8
"""Shorter values are not registered automatically (``"v"`` or ``"admin"`` are everywhere)."""

_NAME_LIKE = re.compile(r"[a-z.-]+")


def secret_like(value: str) -> bool:
    """Whether a value is registered automatically: long enough, and not something that could
    also be a name (``one-value`` is in a test's namespace name): digits and letters, or a
    character no Kubernetes name has."""
    if len(value) < MIN_SENSITIVE:
        return False
    has_digit, has_letter = any(c.isdigit() for c in value), any(c.isalpha() for c in value)
    return (has_digit and has_letter) or not _NAME_LIKE.fullmatch(value.lower().replace("_", "-"))


LOG_FILES: list[Path] = []
"""Log files of eso processes the tests ran (``eso run``, ``eso webhook``), scanned like LOG_BUFFER."""

METRICS_SEEN: list[str] = []
"""The /metrics text of every in-process operator when it stopped, scanned like the live ones."""


def sensitive(value: str) -> str:
    """Register ``value`` as secret for the end-of-session leak scan, and return it."""
    SENSITIVE.add(value)
    return value


def register_log(path: Path) -> Path:
    """Have the end-of-session leak scan read the log file ``path`` too."""
    LOG_FILES.append(path)
    return path


def register_manifest_values(obj: Any) -> None:
    """Register the values a manifest carries: a Secret's ``data``/``stringData``, a fake store's values."""
    if not isinstance(obj, dict):
        return
    found: list[str] = []
    if obj.get("kind") == "Secret":
        for value in (obj.get("data") or {}).values():
            try:
                found.append(base64.b64decode(str(value), validate=True).decode("utf-8"))
            except ValueError:
                continue
        found += [str(v) for v in (obj.get("stringData") or {}).values()]
    fake: Any = obj
    for key in ("spec", "provider", "fake", "data"):
        fake = fake.get(key) if isinstance(fake, dict) else None
    if isinstance(fake, list):
        found += [str(e.get("value", "")) for e in fake if isinstance(e, dict)]
    SENSITIVE.update(v for v in found if secret_like(v))


def find_leaks(texts: dict[str, str]) -> list[str]:
    """``where: value (…context…)`` for every sensitive value found in ``texts``, as is or base64."""
    found = []
    for where, text in texts.items():
        for value in SENSITIVE:
            for shape in (value, base64.b64encode(value.encode()).decode()):
                at = text.find(shape)
                if at >= 0:
                    context = text[max(0, at - 150) : at + len(shape) + 150].replace("\n", " ")
                    found.append(f"{where}: {value} (…{context}…)")
                    break
    return found


def wait_until(
    predicate: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.2, what: str = ""
) -> T:
    """Poll ``predicate`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as exc:  # the object may not exist yet
            last = exc
        if last and not isinstance(last, Exception):
            return last  # type: ignore[no-any-return]
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}: last={last!r}")


def operator_settings(
    kubeconfig: Path, env: dict[str, str], *, serve: bool = False, **controller: Any
) -> OperatorSettings:
    """Settings for an in-process operator against the sandbox (``serve``: HTTP endpoints on random ports)."""
    base = ControllerSettings(
        service_account=("external-secrets", "external-secrets"),
        backoff_base=0.5,
        backoff_cap=5.0,
        permanent_error_retry=5.0,
        store_requeue_interval=30.0,
    )
    return OperatorSettings(
        kube=KubeSettings(kubeconfig=str(kubeconfig), client_qps=0),
        controller=replace(base, **controller),
        metrics=MetricsSettings(
            metrics_addr="127.0.0.1:0" if serve else "0", health_addr="127.0.0.1:0" if serve else "0"
        ),
        providers=ProviderSettings(env={k: v for k, v in env.items() if k.startswith("AWS_")}),
    )


class OperatorRunner:
    """Runs an :class:`Operator` on its own event loop in a thread, so tests stay synchronous."""

    def __init__(self, settings: OperatorSettings) -> None:
        self.settings = settings
        self.operator = Operator(settings)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="operator", daemon=True)

    def start(self, timeout: float = 60.0) -> OperatorRunner:
        configure("debug", "json", LOG_BUFFER)  # idempotent: every in-process operator logs into LOG_BUFFER
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.operator.start(), self._loop).result(timeout)
        return self

    def call(self, coro: Any, timeout: float = 30.0) -> Any:
        """Run a coroutine on the operator's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def stop(self) -> None:
        METRICS_SEEN.append(self.operator.metrics.exposition().decode())
        try:
            asyncio.run_coroutine_threadsafe(self.operator.stop(), self._loop).result(30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()


class Kubectl:
    """The sandbox's kubectl binary, for manifests exactly as a user applies them."""

    def __init__(self, binary: Path, kubeconfig: Path) -> None:
        self.binary = str(binary)
        self.kubeconfig = str(kubeconfig)

    def run(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        cmd = [self.binary, "--kubeconfig", self.kubeconfig, *args]
        result = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def apply(
        self, manifest: str | dict[str, Any] | list[dict[str, Any]], namespace: str | None = None
    ) -> str:
        if isinstance(manifest, str):
            text = manifest
        else:  # JSON, so that no value is re-typed on the way (a label "0577" stays a string)
            items = manifest if isinstance(manifest, list) else [manifest]
            text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items})
        try:
            for doc in yaml.safe_load_all(text):
                for obj in doc.get("items", [doc]) if isinstance(doc, dict) else []:
                    register_manifest_values(obj)
        except yaml.YAMLError:
            pass  # kubectl will say what is wrong with it
        args = ["apply", "-f", "-"] + (["-n", namespace] if namespace else [])
        return self.run(*args, stdin=text).stdout

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        args = ["get", kind, name, "-o", "json", "--show-managed-fields"] + (
            ["-n", namespace] if namespace else []
        )
        result = self.run(*args, check=False)
        if result.returncode != 0:
            if "NotFound" in result.stderr or "not found" in result.stderr:
                return None
            raise AssertionError(result.stderr)
        obj: dict[str, Any] = json.loads(result.stdout)
        return obj

    def delete(self, kind: str, name: str, namespace: str | None = None, wait: bool = False) -> None:
        args = ["delete", kind, name, f"--wait={'true' if wait else 'false'}", "--ignore-not-found"]
        self.run(*(args + (["-n", namespace] if namespace else [])))

    def secret_data(self, name: str, namespace: str) -> dict[str, bytes] | None:
        secret = self.get("secret", name, namespace)
        if secret is None:
            return None
        return {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}


def ready_condition(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return dict(cond)
    return None


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false")
