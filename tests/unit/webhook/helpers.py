"""Shared builders for the webhook unit tests: manifests, AdmissionReviews, a provider registry."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import yaml

from eso.providers.aws import AWSProvider
from eso.providers.fake import FakeStoreProvider
from eso.providers.registry import ProviderRegistry
from eso.webhook.admission import AdmissionRequest

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed"
OPERATOR_SA = ("external-secrets", "external-secrets")


def registry() -> ProviderRegistry:
    """aws (knowing the seed's operator ServiceAccount) and fake, as ``eso webhook`` builds it."""
    return ProviderRegistry([AWSProvider(env={}, operator_service_account=OPERATOR_SA), FakeStoreProvider()])


def seed(name: str) -> dict[str, Any]:
    obj: dict[str, Any] = yaml.safe_load((SEED / name).read_text())
    return obj


def seed_manifests() -> list[str]:
    return sorted(p.name for p in SEED.glob("*.yaml") if seed(p.name)["kind"] != "Pod")


def es(spec: dict[str, Any], version: str = "v1") -> dict[str, Any]:
    return {
        "apiVersion": f"external-secrets.io/{version}",
        "kind": "ExternalSecret",
        "metadata": {"name": "e", "namespace": "ns"},
        "spec": spec,
    }


def store(provider: dict[str, Any], kind: str = "SecretStore", **spec: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "s"}
    if kind == "SecretStore":
        meta["namespace"] = "ns"
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": kind,
        "metadata": meta,
        "spec": {"provider": provider, **spec},
    }


def request(
    obj: dict[str, Any] | None,
    operation: str = "CREATE",
    old: dict[str, Any] | None = None,
) -> AdmissionRequest:
    kind = str((obj or old or {}).get("kind", ""))
    return AdmissionRequest(
        api_version="admission.k8s.io/v1",
        uid=str(uuid.uuid4()),
        operation=operation,
        kind=kind,
        name="n",
        namespace="ns",
        object=obj,
        old_object=old,
    )


def review(
    obj: dict[str, Any] | None, operation: str = "CREATE", old: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An AdmissionReview as the API server sends it."""
    kind = (obj or old or {}).get("kind", "")
    group, _, version = str((obj or old or {}).get("apiVersion", "")).rpartition("/")
    req: dict[str, Any] = {
        "uid": str(uuid.uuid4()),
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": group, "version": version, "resource": kind.lower() + "s"},
        "operation": operation,
        "name": "n",
        "namespace": "ns",
        "userInfo": {"username": "tester"},
        "dryRun": False,
    }
    if obj is not None:
        req["object"] = obj
    if old is not None:
        req["oldObject"] = old
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": req}
