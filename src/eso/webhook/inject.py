"""Injecting the webhook's CA as ``caBundle`` into its ValidatingWebhookConfigurations.

Every ValidatingWebhookConfiguration labelled ``external-secrets.io/component=webhook``
gets ``clientConfig.caBundle`` set, in each of its webhooks, to the CA of the webhook
Secret (ESO's cert-controller does the same). The object is written with a PUT carrying
the resourceVersion that was read, so a concurrent change (another replica, ``helm
upgrade``) is never overwritten: on a conflict the object is read again and the check
repeated. An object whose bundles are already right is not written at all.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Mapping
from typing import Any

from eso.api.resources import VALIDATING_WEBHOOK_CONFIGURATION as VWC
from eso.errors import Conflict, NotFound
from eso.kube.client import KubeClient
from eso.logging import get_logger

__all__ = ["CABundleInjector", "needs_injection", "with_ca_bundle"]

_log = get_logger("eso.webhook.inject")
_ATTEMPTS = 5
_FIELD_MANAGER = "eso-webhook"


def _encoded(ca_pem: bytes) -> str:
    return base64.b64encode(ca_pem).decode()


def needs_injection(obj: Mapping[str, Any], ca_pem: bytes) -> bool:
    """True when some webhook of ``obj`` lacks exactly this ``caBundle``."""
    want = _encoded(ca_pem)
    return any(
        ((webhook.get("clientConfig") or {}).get("caBundle") or "") != want
        for webhook in obj.get("webhooks") or []
    )


def with_ca_bundle(obj: Mapping[str, Any], ca_pem: bytes) -> dict[str, Any]:
    """A copy of ``obj`` whose every webhook carries ``caBundle`` = ``ca_pem``."""
    result = copy.deepcopy(dict(obj))
    want = _encoded(ca_pem)
    for webhook in result.get("webhooks") or []:
        webhook.setdefault("clientConfig", {})["caBundle"] = want
    return result


class CABundleInjector:
    """Keeps ``caBundle`` right in the labelled configurations."""

    def __init__(self, kube: KubeClient, label_selector: str) -> None:
        self._kube = kube
        self._label_selector = label_selector
        self.writes = 0

    async def inject_all(self, ca_pem: bytes) -> int:
        """Check every labelled configuration; return how many were written."""
        items, _ = await self._kube.list_all(VWC, label_selector=self._label_selector)
        written = 0
        for obj in items:
            if await self.inject(obj, ca_pem):
                written += 1
        return written

    async def inject(self, obj: Mapping[str, Any], ca_pem: bytes) -> bool:
        """Write ``caBundle`` into ``obj`` if needed (re-reading it on a conflict); True when written."""
        name = str((obj.get("metadata") or {}).get("name", ""))
        current: Mapping[str, Any] | None = obj
        for _ in range(_ATTEMPTS):
            if current is None or not needs_injection(current, ca_pem):
                return False
            try:
                await self._kube.replace(VWC, with_ca_bundle(current, ca_pem), field_manager=_FIELD_MANAGER)
            except Conflict:
                _log.debug("webhook configuration changed while injecting; reading it again", name=name)
                current = await self._kube.get_or_none(VWC, name)
                continue
            except NotFound:
                return False
            self.writes += 1
            _log.info("injected caBundle", configuration=name)
            return True
        _log.warning("gave up injecting caBundle after repeated conflicts", configuration=name)
        return False
