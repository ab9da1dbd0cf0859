"""The ``aws`` provider: Secrets Manager and Parameter Store stores.

Construct one per process and register it under ``aws``::

    provider = AWSProvider(env=dict(os.environ), session=AioSession())

``env`` is read once, here (endpoint overrides, environment credentials); ``session``
is the aiobotocore session every client is created from. :meth:`new_client` resolves
the store's credentials (through :class:`~eso.providers.base.KubeAccess`), creates one
aiobotocore client and returns a
:class:`~eso.providers.aws.secretsmanager.SecretsManagerClient` or
:class:`~eso.providers.aws.parameterstore.ParameterStoreClient`; the caller caches it per
store and calls ``close()`` when the store changes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

from aiobotocore.session import AioSession

from eso.api._base import Model
from eso.api.providers.aws import AWSProvider as AWSSpec
from eso.api.providers.aws import AWSService
from eso.errors import CapabilityError, EsoError, SpecError
from eso.providers.aws.auth import resolve_credentials
from eso.providers.aws.calls import ApiCaller, RetryPolicy
from eso.providers.aws.client import AWSClient
from eso.providers.aws.errors import map_error
from eso.providers.aws.parameterstore import ParameterStoreClient
from eso.providers.aws.secretsmanager import SecretsManagerClient
from eso.providers.aws.session import AWSEnvironment, ClientFactory, ClientOptions
from eso.providers.aws.spec_checks import RegionIndex, parse_spec, validate_spec
from eso.providers.base import CallRecorder, Capabilities, KubeAccess, StoreContext

__all__ = ["AWSProvider"]

_CLIENTS: Mapping[AWSService, tuple[str, type[AWSClient]]] = {
    AWSService.SECRETS_MANAGER: ("secretsmanager", SecretsManagerClient),
    AWSService.PARAMETER_STORE: ("ssm", ParameterStoreClient),
}


class AWSProvider:
    """The provider registered under ``spec.provider.aws``.

    ``operator_service_account`` (``(namespace, name)``) lets :meth:`validate_store`
    accept a namespaced store that names the operator's own ServiceAccount (with a
    warning); :meth:`new_client` takes it from KubeAccess. ``options`` sets timeouts
    and the connection pool; ``retry`` the default retry policy when a store has no
    ``retrySettings``.
    """

    name = "aws"

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        session: AioSession | None = None,
        *,
        options: ClientOptions | None = None,
        retry: RetryPolicy | None = None,
        operator_service_account: tuple[str, str] | None = None,
    ) -> None:
        self.environment = AWSEnvironment.from_env(dict(os.environ) if env is None else env)
        self.session = session or AioSession()
        self.factory = ClientFactory(self.session, self.environment, options or ClientOptions())
        self.default_retry = retry or RetryPolicy()
        self.operator_service_account = operator_service_account
        self._regions = RegionIndex(self.session.get_component("data_loader"))

    def parse_spec(self, raw: Mapping[str, Any]) -> AWSSpec:
        """Typed ``spec.provider.aws``; SpecError names ``spec.provider.aws.<field>``."""
        return parse_spec(raw)

    def capabilities(self, spec: Model) -> Capabilities:
        """Secrets Manager and Parameter Store stores read and write."""
        return Capabilities.READ_WRITE

    def rate_limit(self, spec: Model) -> tuple[float, int]:
        """Default per-store request rate (qps, burst), under AWS's published quotas.

        Parameter Store shares 40 requests/s per account and Region; Secrets Manager's read
        quotas are far higher, and reads are batched 20 to a call.
        """
        if isinstance(spec, AWSSpec) and spec.service.value == "ParameterStore":
            return 20.0, 40
        return 50.0, 100

    def depends_on_consumer(self, spec: Model) -> bool:
        """Referent credentials (references without a namespace) or consumer-derived session tags."""
        if not isinstance(spec, AWSSpec):
            return True
        if spec.session_tags_policy is not None and spec.session_tags_policy.value in ("Simple", "Custom"):
            return True
        auth = spec.auth
        if auth is None:
            return False
        if auth.secret_ref is not None:
            selectors = (
                auth.secret_ref.access_key_id_secret_ref,
                auth.secret_ref.secret_access_key_secret_ref,
                auth.secret_ref.session_token_secret_ref,
            )
            if any(sel is not None and sel.name and not sel.namespace for sel in selectors):
                return True
        account = auth.jwt.service_account_ref if auth.jwt is not None else None
        return account is not None and not account.namespace

    def _spec(self, store: StoreContext) -> AWSSpec:
        if not isinstance(store.spec, AWSSpec):
            raise SpecError("the store spec is not an AWS provider spec", field="spec.provider.aws")
        return store.spec

    def validate_store(self, store: StoreContext) -> list[str]:
        """Static validation: warnings, or SpecError naming the field."""
        return validate_spec(store, self._spec(store), self._regions, self.operator_service_account)

    def _retry_policy(self, store: StoreContext) -> RetryPolicy:
        if store.retry_max is None and store.retry_interval_seconds is None:
            return self.default_retry
        return RetryPolicy.from_store(store.retry_max, store.retry_interval_seconds)

    async def new_client(
        self, store: StoreContext, kube: KubeAccess, recorder: CallRecorder | None = None
    ) -> AWSClient:
        """A client for ``store`` (one aiobotocore client; credentials resolved now, STS on first use)."""
        spec = self._spec(store)
        if spec.service not in _CLIENTS:
            raise CapabilityError(f"service {spec.service.value} is not supported by eso yet")
        service, client_type = _CLIENTS[spec.service]
        caller = ApiCaller(recorder, self._retry_policy(store))
        credentials = await resolve_credentials(store, spec, kube, self.factory, caller)
        stack = AsyncExitStack()
        try:
            if credentials.mode == "static":
                context = self.factory.create(service, spec.region, static=credentials.static)
            elif credentials.mode == "refreshable":
                context = self.factory.create(service, spec.region, credentials=credentials.refreshable)
            elif credentials.mode == "referent":
                # never used for a call (AWSClient refuses); avoids probing the default chain
                context = self.factory.create(service, spec.region, static=("referent", "referent", None))
            else:
                context = self.factory.create(service, spec.region)
            raw = await stack.enter_async_context(context)
        except EsoError:
            await stack.aclose()
            raise
        except Exception as exc:
            await stack.aclose()
            raise map_error("CreateClient", exc) from exc
        return client_type(
            raw=raw,
            caller=caller,
            credentials=credentials,
            factory=self.factory,
            store=store,
            spec=spec,
            kube=kube,
            stack=stack,
        )
