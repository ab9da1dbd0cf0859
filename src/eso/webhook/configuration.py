"""The ValidatingWebhookConfiguration that routes admission requests to ``eso webhook``.

:data:`WEBHOOK_KINDS` lists the validated kinds with their URL path (ESO's paths) and
webhook name; the server routes by the same table. :func:`render_validating_webhook_configuration`
builds the object: one webhook per kind, ``sideEffects: None``, ``admissionReviewVersions:
[v1]``, rules for CREATE and UPDATE on every served version of the kind, ``failurePolicy``
(default ``Fail``), ``timeoutSeconds`` 5, and a ``clientConfig`` that is either the
webhook Service or a URL (local runs, tests). It carries the label
``external-secrets.io/component=webhook``, so the webhook injects its CA as ``caBundle``.
The Helm chart templates the same shape (``docs/webhook.md``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eso.api.resources import (
    CLUSTER_EXTERNAL_SECRET,
    CLUSTER_SECRET_STORE,
    EXTERNAL_SECRET,
    PUSH_SECRET,
    SECRET_STORE,
    VALIDATING_WEBHOOK_CONFIGURATION,
    ResourceInfo,
)
from eso.errors import ConfigError
from eso.webhook.settings import WEBHOOK_COMPONENT_LABEL

__all__ = [
    "DEFAULT_CONFIGURATION_NAME",
    "WEBHOOK_KINDS",
    "WebhookKind",
    "kind_for_path",
    "render_validating_webhook_configuration",
]

DEFAULT_CONFIGURATION_NAME = "external-secrets-webhook"
FAILURE_POLICIES = ("Fail", "Ignore")


@dataclass(frozen=True, slots=True)
class WebhookKind:
    """One validated kind: its resource, the URL path it is served on and the webhook's name."""

    resource: ResourceInfo
    path_version: str

    @property
    def kind(self) -> str:
        """``ExternalSecret``."""
        return self.resource.kind

    @property
    def path(self) -> str:
        """``/validate-external-secrets-io-v1-externalsecret`` (controller-runtime's scheme, as in ESO)."""
        group = self.resource.group.replace(".", "-")
        return f"/validate-{group}-{self.path_version}-{self.resource.singular}"

    @property
    def webhook_name(self) -> str:
        """``validate.externalsecret.external-secrets.io`` (ESO's names)."""
        return f"validate.{self.resource.singular}.{self.resource.group}"


WEBHOOK_KINDS: tuple[WebhookKind, ...] = (
    WebhookKind(EXTERNAL_SECRET, "v1"),
    WebhookKind(SECRET_STORE, "v1"),
    WebhookKind(CLUSTER_SECRET_STORE, "v1"),
    WebhookKind(CLUSTER_EXTERNAL_SECRET, "v1"),
    WebhookKind(PUSH_SECRET, "v1alpha1"),
)
"""Every kind the webhook validates."""

_BY_PATH = {k.path: k for k in WEBHOOK_KINDS}
_BY_KIND = {k.kind: k for k in WEBHOOK_KINDS}


def kind_for_path(path: str) -> WebhookKind | None:
    """The kind served at ``path``, or None."""
    return _BY_PATH.get(path)


def _client_config(
    kind: WebhookKind,
    url: str | None,
    service_name: str | None,
    service_namespace: str | None,
    service_port: int,
    ca_bundle: bytes | None,
) -> dict[str, Any]:
    config: dict[str, Any]
    if url is not None:
        config = {"url": url.rstrip("/") + kind.path}
    else:
        config = {
            "service": {
                "name": service_name,
                "namespace": service_namespace,
                "path": kind.path,
                "port": service_port,
            }
        }
    if ca_bundle:
        config["caBundle"] = base64.b64encode(ca_bundle).decode()
    return config


def _webhook(kind: WebhookKind, client_config: dict[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    resource = kind.resource
    webhook: dict[str, Any] = {
        "name": kind.webhook_name,
        "admissionReviewVersions": ["v1"],
        "sideEffects": "None",
        "failurePolicy": options["failure_policy"],
        "matchPolicy": "Equivalent",
        "timeoutSeconds": options["timeout_seconds"],
        "clientConfig": client_config,
        "rules": [
            {
                "apiGroups": [resource.group],
                "apiVersions": list(resource.versions),
                "operations": ["CREATE", "UPDATE"],
                "resources": [resource.plural],
                "scope": "Namespaced" if resource.namespaced else "Cluster",
            }
        ],
    }
    if options["namespace_selector"] is not None:
        webhook["namespaceSelector"] = dict(options["namespace_selector"])
    if options["object_selector"] is not None:
        webhook["objectSelector"] = dict(options["object_selector"])
    return webhook


def render_validating_webhook_configuration(
    *,
    name: str = DEFAULT_CONFIGURATION_NAME,
    service_name: str | None = "external-secrets-webhook",
    service_namespace: str | None = "default",
    service_port: int = 443,
    url: str | None = None,
    ca_bundle: bytes | None = None,
    failure_policy: str = "Fail",
    timeout_seconds: int = 5,
    kinds: Iterable[str] | None = None,
    namespace_selector: Mapping[str, Any] | None = None,
    object_selector: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The ValidatingWebhookConfiguration object (a dict ready to apply).

    ``url`` (``https://127.0.0.1:10250``; each webhook appends its path) replaces the
    Service reference. ``kinds`` restricts the webhooks to some kinds (``["ExternalSecret"]``);
    ``namespace_selector`` / ``object_selector`` are copied into every webhook (a
    ``namespaceSelector`` never filters cluster-scoped kinds). ``ca_bundle`` is PEM;
    normally left out and injected by the webhook. ConfigError on a bad argument.
    """
    if failure_policy not in FAILURE_POLICIES:
        raise ConfigError(f"failurePolicy must be Fail or Ignore, got {failure_policy!r}")
    if not 1 <= timeout_seconds <= 30:
        raise ConfigError("timeoutSeconds must be between 1 and 30")
    if url is None and not (service_name and service_namespace):
        raise ConfigError("give either a url or a service name and namespace")
    if url is not None and not url.startswith("https://"):
        raise ConfigError("the webhook url must start with https://")
    selected = list(WEBHOOK_KINDS)
    if kinds is not None:
        wanted = list(kinds)
        unknown = [k for k in wanted if k not in _BY_KIND]
        if unknown:
            raise ConfigError(f"no webhook for {', '.join(unknown)}; known: {', '.join(_BY_KIND)}")
        selected = [_BY_KIND[k] for k in wanted]
    options = {
        "failure_policy": failure_policy,
        "timeout_seconds": timeout_seconds,
        "namespace_selector": namespace_selector,
        "object_selector": object_selector,
    }
    webhooks = [
        _webhook(k, _client_config(k, url, service_name, service_namespace, service_port, ca_bundle), options)
        for k in selected
    ]
    key, value = WEBHOOK_COMPONENT_LABEL
    return {
        "apiVersion": VALIDATING_WEBHOOK_CONFIGURATION.api_version,
        "kind": VALIDATING_WEBHOOK_CONFIGURATION.kind,
        "metadata": {"name": name, "labels": {**(labels or {}), key: value}},
        "webhooks": webhooks,
    }
