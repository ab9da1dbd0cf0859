"""Static checks of ``spec.provider.aws`` (ESO ``provider.go`` ValidateStore, ``util/validation.go``).

* parsing: a pydantic error becomes a SpecError naming ``spec.provider.aws.<field>``;
* ``service``: SecretsManager or ParameterStore (CertificateManager is not implemented);
* ``region``: must be a region botocore's endpoint data lists for the service, else
  "region not found" (ESO appends the value; eso's messages name the field, never repeat a
  value of the manifest);
* ``secretsManager``: ``recoveryWindowInDays`` 7 to 30 when set, not together with
  ``forceDeleteWithoutRecovery``;
* ``customSessionTags``: the reserved keys ``esoNamespace``, ``esoStoreName`` and
  ``esoStoreKind`` are refused; tags that would be ignored give warnings;
* credential references: the namespace rules of :mod:`eso.providers.refs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from eso.api.providers.aws import AWSProvider as AWSSpec
from eso.api.providers.aws import AWSService, SessionTagsPolicy
from eso.errors import SpecError
from eso.providers import refs
from eso.providers.base import StoreContext

__all__ = ["RESERVED_SESSION_TAGS", "RegionIndex", "parse_spec", "validate_spec"]

FIELD = "spec.provider.aws"
RESERVED_SESSION_TAGS = frozenset({"esoNamespace", "esoStoreName", "esoStoreKind"})
SERVICE_ENDPOINT_PREFIX = {AWSService.SECRETS_MANAGER: "secretsmanager", AWSService.PARAMETER_STORE: "ssm"}


def _location(loc: tuple[int | str, ...]) -> str:
    out = FIELD
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse_spec(raw: Mapping[str, Any]) -> AWSSpec:
    """The typed spec; SpecError names the first invalid field."""
    try:
        return AWSSpec.model_validate(dict(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SpecError(str(first["msg"]), field=_location(tuple(first["loc"]))) from None


class RegionIndex:
    """Regions per service from botocore's endpoint data, loaded on first use."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader
        self._regions: dict[str, frozenset[str]] = {}

    def regions(self, endpoint_prefix: str) -> frozenset[str]:
        """Every region botocore knows for the service, across partitions."""
        if endpoint_prefix not in self._regions:
            data = self._loader.load_data("endpoints")
            found: set[str] = set()
            for partition in data.get("partitions", []):
                service = partition.get("services", {}).get(endpoint_prefix, {})
                for name, details in service.get("endpoints", {}).items():
                    if not details.get("deprecated") and "fips" not in name:
                        found.add(name)
            self._regions[endpoint_prefix] = frozenset(found)
        return self._regions[endpoint_prefix]


def _check_secrets_manager_options(spec: AWSSpec) -> None:
    options = spec.secrets_manager
    if options is None:
        return
    window = options.recovery_window_in_days
    if window and not 7 <= window <= 30:
        raise SpecError(
            f"recoveryWindowInDays must be between 7 and 30 days, got {window}",
            field=f"{FIELD}.secretsManager.recoveryWindowInDays",
        )
    if window and options.force_delete_without_recovery:
        raise SpecError(
            "forceDeleteWithoutRecovery and recoveryWindowInDays cannot be used together",
            field=f"{FIELD}.secretsManager",
        )


def _check_session_tags(spec: AWSSpec) -> list[str]:
    warnings: list[str] = []
    policy = spec.session_tags_policy or SessionTagsPolicy.NONE
    custom = spec.custom_session_tags or {}
    reserved = sorted(RESERVED_SESSION_TAGS & set(custom))
    if reserved:
        raise SpecError(
            f"reserved session tag key(s) {', '.join(reserved)} cannot be set",
            field=f"{FIELD}.customSessionTags",
        )
    if custom and policy is not SessionTagsPolicy.CUSTOM:
        warnings.append(f"{FIELD}.customSessionTags is ignored unless sessionTagsPolicy is Custom")
    if spec.session_tags and policy is not SessionTagsPolicy.NONE:
        warnings.append(f"{FIELD}.sessionTags is replaced by the tags of sessionTagsPolicy {policy.value}")
    if (
        spec.session_tags or policy is not SessionTagsPolicy.NONE or spec.transitive_tag_keys
    ) and not spec.role:
        warnings.append(f"session tags apply only to the {FIELD}.role assumption, and no role is set")
    return warnings


def _check_references(store: StoreContext, spec: AWSSpec, operator_sa: tuple[str, str] | None) -> list[str]:
    warnings: list[str] = []
    auth = spec.auth
    if auth is None:
        return warnings
    if auth.jwt is not None and auth.secret_ref is not None:
        warnings.append(f"{FIELD}.auth has both jwt and secretRef; jwt is used")
    if auth.secret_ref is not None:
        base = f"{FIELD}.auth.secretRef"
        for name, selector in (
            ("accessKeyIDSecretRef", auth.secret_ref.access_key_id_secret_ref),
            ("secretAccessKeySecretRef", auth.secret_ref.secret_access_key_secret_ref),
            ("sessionTokenSecretRef", auth.secret_ref.session_token_secret_ref),
        ):
            if selector is not None and selector.name:
                refs.resolve_secret_ref_namespace(store, selector.namespace, selector.name, f"{base}.{name}")
    sa = auth.jwt.service_account_ref if auth.jwt is not None else None
    if sa is not None and sa.name and (operator_sa is not None or store.is_cluster or not sa.namespace):
        # Without knowing the operator's identity the cross-namespace exception cannot be
        # judged here; new_client (which knows it) applies the rule then.
        field = f"{FIELD}.auth.jwt.serviceAccountRef"
        resolved = refs.resolve_service_account_namespace(store, sa.namespace, sa.name, field, operator_sa)
        if resolved.warning:
            warnings.append(resolved.warning)
    return warnings


def validate_spec(
    store: StoreContext, spec: AWSSpec, regions: RegionIndex, operator_sa: tuple[str, str] | None
) -> list[str]:
    """Warnings for ``spec``; SpecError (naming the field) when it is invalid."""
    prefix = SERVICE_ENDPOINT_PREFIX.get(spec.service)
    if prefix is None:
        raise SpecError(f"service {spec.service.value} is not supported by eso yet", field=f"{FIELD}.service")
    if not spec.region:
        raise SpecError("region is required", field=f"{FIELD}.region")
    if spec.region not in regions.regions(prefix):
        raise SpecError(
            f"region not found: not a {spec.service.value} region in botocore's endpoint data",
            field=f"{FIELD}.region",
        )
    _check_secrets_manager_options(spec)
    warnings = _check_session_tags(spec)
    warnings += _check_references(store, spec, operator_sa)
    return warnings
