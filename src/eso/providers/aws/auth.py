"""Credentials for an AWS store, resolved as ESO's ``providers/v1/aws/auth`` does.

1. Base credentials:

   * ``auth.jwt.serviceAccountRef``: the ServiceAccount must carry
     ``eks.amazonaws.com/role-arn``. A TokenRequest token (audiences: the
     ``eks.amazonaws.com/audience`` annotation or ``sts.amazonaws.com``, plus the
     selector's) is exchanged with ``AssumeRoleWithWebIdentity`` (session name
     ``external-secrets-provider-aws``). Each refresh requests a fresh token.
   * ``auth.secretRef``: static keys read from Secrets.
   * neither: the environment's static keys if the provider's environment has them,
     otherwise the SDK default chain of the shared session.

2. Each ``additionalRoles`` entry is assumed in order, then ``role`` (with
   ``externalID``, session tags per ``sessionTagsPolicy`` and ``transitiveTagKeys``).

Namespaces come from :mod:`eso.providers.refs` only. A ClusterSecretStore whose
reference is referent (no namespace) and that is validated without a consumer gets
``mode="referent"``: validation answers Unknown and nothing is read.

Credentials from STS are botocore deferred refreshable credentials: they are fetched on
first use and refreshed before they expire, so a cached client keeps working.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiobotocore.credentials import AioDeferredRefreshableCredentials

from eso.api.providers.aws import AWSAuthSecretRef, AWSJWTAuth, SessionTagsPolicy
from eso.api.providers.aws import AWSProvider as AWSSpec
from eso.errors import EsoError, ProviderAuthError, ProviderError, SpecError
from eso.providers import refs
from eso.providers.aws.calls import LABEL_STS, ApiCaller
from eso.providers.aws.errors import map_error
from eso.providers.aws.session import ClientFactory
from eso.providers.base import KubeAccess, StoreContext, ValidationResult

__all__ = [
    "AUDIENCE_ANNOTATION",
    "DEFAULT_AUDIENCE",
    "ROLE_ARN_ANNOTATION",
    "SESSION_NAME",
    "Credentials",
    "resolve_credentials",
    "session_tags",
]

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
AUDIENCE_ANNOTATION = "eks.amazonaws.com/audience"
DEFAULT_AUDIENCE = "sts.amazonaws.com"
SESSION_NAME = "external-secrets-provider-aws"
TOKEN_EXPIRATION_SECONDS = 600
_FIELD = "spec.provider.aws"

Frozen = tuple[str, str, str | None]
Source = Callable[[], Awaitable[Frozen]]


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a store's clients sign with.

    ``mode``: ``static`` (``static`` holds the keys), ``default`` (the shared session's
    chain), ``refreshable`` (``refreshable`` is a botocore credentials object fed by STS)
    or ``referent`` (unknown until an ExternalSecret's namespace is known).
    """

    mode: Literal["static", "default", "refreshable", "referent"]
    static: Frozen | None = None
    refreshable: Any = None
    warnings: tuple[str, ...] = ()

    async def retrieve(self, factory: ClientFactory) -> ValidationResult:
        """Fetch the credentials now (performing the STS calls): Ready, Unknown, or raise."""
        if self.mode == "referent":
            return ValidationResult.UNKNOWN
        if self.mode == "static":
            return ValidationResult.READY
        try:
            if self.mode == "refreshable":
                await self.refreshable.get_frozen_credentials()
            else:
                await _default_chain(factory)()
        except EsoError:
            raise
        except Exception as exc:
            raise map_error("RetrieveCredentials", exc) from exc
        return ValidationResult.READY


def _default_chain(factory: ClientFactory) -> Source:
    async def source() -> Frozen:
        creds = await factory.session.get_credentials()
        if creds is None:
            raise ProviderAuthError(
                "no AWS credentials found: the store has no auth and the SDK default chain "
                "(environment, web identity token file, container or instance metadata) found none. "
                "Fix: set spec.provider.aws.auth, or give the operator an identity (IRSA, Pod Identity)"
            )
        frozen = await creds.get_frozen_credentials()
        return (frozen.access_key, frozen.secret_key, frozen.token)

    return source


def _as_refresh_data(creds: Mapping[str, Any]) -> dict[str, Any]:
    expiration = creds["Expiration"]
    return {
        "access_key": creds["AccessKeyId"],
        "secret_key": creds["SecretAccessKey"],
        "token": creds["SessionToken"],
        "expiry_time": expiration.isoformat() if hasattr(expiration, "isoformat") else str(expiration),
    }


def _rename(exc: ProviderError, prefix: str) -> ProviderError:
    renamed = type(exc)(f"{prefix}: {exc.message}")
    renamed.__cause__ = exc.__cause__
    return renamed


def _assume_role(
    factory: ClientFactory, caller: ApiCaller, region: str, source: Source, params: dict[str, Any]
) -> Any:
    async def refresh() -> dict[str, Any]:
        key_id, secret, token = await source()
        try:
            async with factory.create("sts", region, static=(key_id, secret, token)) as sts:
                response = await caller(LABEL_STS, sts, "AssumeRole", **params)
        except ProviderError as exc:
            raise _rename(exc, f"assuming role {params['RoleArn']}") from exc.__cause__
        return _as_refresh_data(response["Credentials"])

    return AioDeferredRefreshableCredentials(refresh_using=refresh, method="eso-assume-role")


def _frozen_of(creds: Any) -> Source:
    async def source() -> Frozen:
        frozen = await creds.get_frozen_credentials()
        return (frozen.access_key, frozen.secret_key, frozen.token)

    return source


def session_tags(spec: AWSSpec, store: StoreContext) -> list[dict[str, str]]:
    """The STS ``Tags`` for the ``role`` assumption, per ``sessionTagsPolicy``."""
    policy = spec.session_tags_policy or SessionTagsPolicy.NONE
    if policy is SessionTagsPolicy.NONE:
        return [{"Key": tag.key, "Value": tag.value} for tag in spec.session_tags or []]
    namespace = store.consumer_namespace or store.namespace or ""
    tags = {"esoNamespace": namespace, "esoStoreName": store.name, "esoStoreKind": store.kind.value}
    if policy is SessionTagsPolicy.CUSTOM:
        for key, value in (spec.custom_session_tags or {}).items():
            if key and value and key not in tags:
                tags[key] = value
    return [{"Key": key, "Value": value} for key, value in tags.items() if value]


async def _read_key(
    store: StoreContext, kube: KubeAccess, selector: Any, field: str, required: bool = True
) -> str | None:
    if selector is None or not selector.name:
        if required:
            raise SpecError("a Secret name and key are required", field=field)
        return None
    if not selector.key:
        raise SpecError("key is required", field=f"{field}.key")
    resolved = refs.resolve_secret_ref_namespace(store, selector.namespace, selector.name, field)
    if resolved.referent_unknown:
        return None
    assert resolved.namespace is not None
    value = await kube.read_secret_key(resolved.namespace, selector.name, selector.key)
    text = value.decode("utf-8", errors="replace").strip()
    if not text:
        raise SpecError(f'key "{selector.key}" of Secret "{selector.name}" is empty', field=field)
    return text


async def _static_from_secrets(
    store: StoreContext, kube: KubeAccess, secret_ref: AWSAuthSecretRef
) -> Credentials:
    base = f"{_FIELD}.auth.secretRef"
    key_id = await _read_key(store, kube, secret_ref.access_key_id_secret_ref, f"{base}.accessKeyIDSecretRef")
    secret = await _read_key(
        store, kube, secret_ref.secret_access_key_secret_ref, f"{base}.secretAccessKeySecretRef"
    )
    token = await _read_key(
        store, kube, secret_ref.session_token_secret_ref, f"{base}.sessionTokenSecretRef", required=False
    )
    if key_id is None or secret is None:
        return Credentials(mode="referent")
    return Credentials(mode="static", static=(key_id, secret, token))


async def _web_identity(
    store: StoreContext,
    *,
    kube: KubeAccess,
    jwt: AWSJWTAuth,
    factory: ClientFactory,
    caller: ApiCaller,
    region: str,
) -> Credentials:
    field = f"{_FIELD}.auth.jwt.serviceAccountRef"
    ref = jwt.service_account_ref
    if ref is None or not ref.name:
        raise SpecError("a ServiceAccount name is required", field=field)
    resolved = refs.resolve_service_account_namespace(
        store, ref.namespace, ref.name, field, kube.operator_service_account
    )
    warnings = (resolved.warning,) if resolved.warning else ()
    if resolved.referent_unknown:
        return Credentials(mode="referent", warnings=warnings)
    namespace = resolved.namespace or ""
    account = await kube.read_service_account(namespace, ref.name)
    annotations = (account.get("metadata") or {}).get("annotations") or {}
    role_arn = str(annotations.get(ROLE_ARN_ANNOTATION, "")).strip()
    if not role_arn:
        raise ProviderAuthError(
            f"an IAM role must be associated with service account {ref.name} (namespace: {namespace}). "
            f"Fix: annotate it, e.g. kubectl annotate serviceaccount -n {namespace} {ref.name} "
            f"{ROLE_ARN_ANNOTATION}=arn:aws:iam::<account-id>:role/<role-name>"
        )
    audience = str(annotations.get(AUDIENCE_ANNOTATION, "")).strip()
    audiences = [audience or DEFAULT_AUDIENCE, *(ref.audiences or [])]
    name = ref.name

    async def refresh() -> dict[str, Any]:
        token = await kube.request_token(namespace, name, audiences, TOKEN_EXPIRATION_SECONDS)
        try:
            async with factory.create("sts", region, unsigned=True) as sts:
                response = await caller(
                    LABEL_STS,
                    sts,
                    "AssumeRoleWithWebIdentity",
                    sensitive=(token,),
                    RoleArn=role_arn,
                    RoleSessionName=SESSION_NAME,
                    WebIdentityToken=token,
                )
        except ProviderError as exc:
            prefix = f"web identity of ServiceAccount {namespace}/{name} for role {role_arn}"
            raise _rename(exc, prefix) from exc.__cause__
        return _as_refresh_data(response["Credentials"])

    creds = AioDeferredRefreshableCredentials(refresh_using=refresh, method="eso-web-identity")
    return Credentials(mode="refreshable", refreshable=creds, warnings=warnings)


async def _base_credentials(
    store: StoreContext, spec: AWSSpec, kube: KubeAccess, factory: ClientFactory, caller: ApiCaller
) -> Credentials:
    auth = spec.auth
    if auth is not None and auth.jwt is not None:
        return await _web_identity(
            store, kube=kube, jwt=auth.jwt, factory=factory, caller=caller, region=spec.region
        )
    if auth is not None and auth.secret_ref is not None:
        return await _static_from_secrets(store, kube, auth.secret_ref)
    env = factory.environment
    if env.has_static_credentials:
        assert env.access_key_id is not None
        assert env.secret_access_key is not None
        return Credentials(
            mode="static", static=(env.access_key_id, env.secret_access_key, env.session_token)
        )
    return Credentials(mode="default")


def _source_of(base: Credentials, factory: ClientFactory) -> Source:
    if base.mode == "static":
        assert base.static is not None
        static = base.static

        async def fixed() -> Frozen:
            return static

        return fixed
    if base.mode == "refreshable":
        return _frozen_of(base.refreshable)
    return _default_chain(factory)


async def resolve_credentials(
    store: StoreContext, spec: AWSSpec, kube: KubeAccess, factory: ClientFactory, caller: ApiCaller
) -> Credentials:
    """Credentials for ``store``: base credentials, then ``additionalRoles``, then ``role``."""
    base = await _base_credentials(store, spec, kube, factory, caller)
    roles = [r for r in spec.additional_roles or [] if r]
    if base.mode == "referent" or (not roles and not spec.role):
        return base
    source = _source_of(base, factory)
    current: Any = None
    for role in roles:
        current = _assume_role(
            factory, caller, spec.region, source, {"RoleArn": role, "RoleSessionName": SESSION_NAME}
        )
        source = _frozen_of(current)
    if spec.role:
        params: dict[str, Any] = {"RoleArn": spec.role, "RoleSessionName": SESSION_NAME}
        if spec.external_id:
            params["ExternalId"] = spec.external_id
        tags = session_tags(spec, store)
        if tags:
            params["Tags"] = tags
        if spec.transitive_tag_keys:
            params["TransitiveTagKeys"] = list(spec.transitive_tag_keys)
        current = _assume_role(factory, caller, spec.region, source, params)
    return Credentials(mode="refreshable", refreshable=current, warnings=base.warnings)
