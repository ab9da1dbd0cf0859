"""Admission decisions per kind: ESO's rules, eso's extra checks and the providers' own.

:class:`AdmissionValidator` answers one :class:`~eso.webhook.admission.AdmissionRequest`
with a :class:`Verdict`:

* CREATE and UPDATE are validated; DELETE and CONNECT are allowed.
* The object is parsed with :func:`eso.api.parse` (a wrong type or a missing required
  field is refused naming the field), then checked with :mod:`eso.api.validation`
  (ExternalSecret, ClusterExternalSecret, SecretStore, ClusterSecretStore, PushSecret).
* A store's provider must be served by this build (refused with the supported list);
  its ``parse_spec`` and ``validate_store`` run, and their warnings are passed on (the
  fake provider warns that it is meant for tests).
* An UPDATE that leaves ``spec`` unchanged, or that touches an object being deleted, is
  allowed even when the stored object breaks a rule (the errors become warnings): a
  rule added later must never stop a controller from removing a finalizer or a user
  from labelling an object.
* Messages name the field with its index (``spec.data[1].remoteRef.key: …``); values
  that may be secret are scrubbed from them (:mod:`eso.webhook.redact`).
* A bug in a check never blocks an apply: the object is allowed with a warning and the
  exception is logged (the controller reports any real problem in the Ready condition).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eso.api import parse
from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.duration import parse_duration
from eso.api.externalsecret import ExternalSecret
from eso.api.meta import KubeObject
from eso.api.pushsecret import PushSecret
from eso.api.secretstore import ClusterSecretStore, SecretStore
from eso.api.validation import (
    ValidationResult,
    validate_cluster_external_secret,
    validate_external_secret,
    validate_push_secret,
    validate_secret_store,
)
from eso.errors import EsoError, SpecError
from eso.logging import get_logger
from eso.providers.base import StoreContext, StoreKind
from eso.providers.registry import ProviderRegistry
from eso.webhook.admission import AdmissionRequest
from eso.webhook.configuration import WEBHOOK_KINDS
from eso.webhook.redact import clean, sensitive_strings

__all__ = ["AdmissionValidator", "Verdict"]

_log = get_logger("eso.webhook.validators")
_VALIDATED_OPERATIONS = ("CREATE", "UPDATE")
_KINDS = frozenset(k.kind for k in WEBHOOK_KINDS)
_UNCHANGED = "not enforced because spec did not change"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Allowed or not, the denial message, and warnings for the user."""

    allowed: bool
    message: str = ""
    warnings: tuple[str, ...] = ()


class AdmissionValidator:
    """Validates the kinds of :data:`~eso.webhook.configuration.WEBHOOK_KINDS` against ``registry``."""

    def __init__(self, registry: ProviderRegistry) -> None:
        self._registry = registry

    def review(self, request: AdmissionRequest) -> Verdict:
        """The verdict on ``request`` (never raises)."""
        if request.operation not in _VALIDATED_OPERATIONS or request.object is None:
            return Verdict(allowed=True)
        obj = request.object
        secrets = sensitive_strings(obj, request.old_object)
        try:
            result = self.validate(obj, namespace=request.namespace)
        except Exception:
            _log.exception("validation failed unexpectedly", kind=request.kind, uid=request.uid)
            return Verdict(
                allowed=True,
                warnings=("the eso webhook could not validate this object (internal error, see its log)",),
            )
        warnings = clean(result.warnings, secrets)
        errors = clean(result.errors, secrets)
        if errors and request.operation == "UPDATE" and _ratchet(obj, request.old_object):
            return Verdict(allowed=True, warnings=(*warnings, *(f"{e} ({_UNCHANGED})" for e in errors)))
        if errors:
            return Verdict(allowed=False, message="; ".join(errors), warnings=tuple(warnings))
        return Verdict(allowed=True, warnings=tuple(warnings))

    def validate(self, obj: Mapping[str, Any], *, namespace: str = "") -> ValidationResult:
        """Every rule for ``obj`` (a manifest of a validated kind); messages are not scrubbed here."""
        result = ValidationResult()
        kind = obj.get("kind")
        if kind not in _KINDS:
            result.warn(
                "kind", f"the eso webhook does not validate {kind!s}; check the webhook configuration"
            )
            return result
        try:
            model = parse(obj)
        except SpecError as exc:
            result.errors.append(str(exc))
            return result
        result.extend(self._rules(model, namespace))
        return result

    def _rules(self, model: KubeObject, namespace: str) -> ValidationResult:
        if isinstance(model, ExternalSecret):
            return validate_external_secret(model)
        if isinstance(model, ClusterExternalSecret):
            return validate_cluster_external_secret(model)
        if isinstance(model, PushSecret):
            return validate_push_secret(model)
        if isinstance(model, SecretStore | ClusterSecretStore):
            return self._store(model, namespace)
        return ValidationResult()

    def _store(self, store: SecretStore | ClusterSecretStore, namespace: str) -> ValidationResult:
        result = validate_secret_store(store, registered=list(self._registry))
        keys = store.spec.provider.set_keys()
        if len(keys) != 1 or keys[0] not in self._registry:
            return result
        key = keys[0]
        provider = self._registry.get(key, field=f"spec.provider.{key}")
        retry = store.spec.retry_settings
        try:
            spec = provider.parse_spec(store.spec.provider.provider_raw())
            context = StoreContext(
                kind=StoreKind(store.kind),
                name=store.name,
                namespace=None if store.is_cluster else (store.namespace or namespace or None),
                spec=spec,
                retry_max=retry.max_retries if retry else None,
                retry_interval_seconds=_interval(retry.retry_interval if retry else None),
            )
            result.warnings.extend(provider.validate_store(context))
        except SpecError as exc:
            result.errors.append(str(exc) if exc.field else f"spec.provider.{key}: {exc.message}")
        return result


def _interval(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parse_duration(value)
    except EsoError:
        return None


def _ratchet(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    """True when an UPDATE may pass despite errors: deletion in progress, or ``spec`` unchanged."""
    if (new.get("metadata") or {}).get("deletionTimestamp"):
        return True
    return old is not None and old.get("spec") == new.get("spec")
