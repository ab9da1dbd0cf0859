"""Where AWS clients connect and how they are configured.

:class:`AWSEnvironment` is read **once**, from the environment mapping the provider is
constructed with (normally a copy of the operator's environment), never from
``os.environ`` later. It gives:

* endpoint overrides, per service, in this order: ESO's own variables
  (``AWS_SECRETSMANAGER_ENDPOINT``, ``AWS_SSM_ENDPOINT``, ``AWS_STS_ENDPOINT``), then the
  SDK's ``AWS_ENDPOINT_URL_<SERVICE>`` and ``AWS_ENDPOINT_URL`` (unless
  ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`` is true). botocore's own endpoint lookup is
  switched off so the mapping is the only source;
* the static credentials of the default chain's first step (``AWS_ACCESS_KEY_ID``,
  ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``), when present.

:class:`ClientFactory` builds aiobotocore clients from the shared session given to the
provider. Static and default-chain credentials use that session directly. Credentials
that refresh themselves (STS) need a session of their own, since botocore attaches
refreshable credentials per session; those child sessions share the parent's data
loader, so creating one costs a few milliseconds and no file reads after the first.
SDK retries are off (``total_max_attempts=1``): :mod:`eso.providers.aws.calls` retries,
so every logical call is counted once and ``spec.retrySettings`` is honoured exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.credentials import AioCredentialResolver
from aiobotocore.session import AioSession
from botocore import UNSIGNED

__all__ = ["SERVICE_NAMES", "AWSEnvironment", "ClientFactory", "ClientOptions"]

# botocore service name → (ESO variable, SDK service id used in AWS_ENDPOINT_URL_<ID>)
SERVICE_NAMES: Mapping[str, tuple[str, str]] = {
    "secretsmanager": ("AWS_SECRETSMANAGER_ENDPOINT", "SECRETS_MANAGER"),
    "ssm": ("AWS_SSM_ENDPOINT", "SSM"),
    "sts": ("AWS_STS_ENDPOINT", "STS"),
}
_TRUE = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True, slots=True)
class AWSEnvironment:
    """The parts of the operator's environment the AWS provider uses (read once)."""

    endpoints: Mapping[str, str] = field(default_factory=dict)
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AWSEnvironment:
        """Read endpoints and env credentials from ``env``."""
        ignore_sdk = env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip().lower() in _TRUE
        endpoints: dict[str, str] = {}
        for service, (eso_var, sdk_id) in SERVICE_NAMES.items():
            candidates = [env.get(eso_var, "")]
            if not ignore_sdk:
                candidates += [env.get(f"AWS_ENDPOINT_URL_{sdk_id}", ""), env.get("AWS_ENDPOINT_URL", "")]
            chosen = next((c.strip() for c in candidates if c.strip()), "")
            if chosen:
                endpoints[service] = chosen
        key_id = env.get("AWS_ACCESS_KEY_ID", "").strip() or None
        secret = env.get("AWS_SECRET_ACCESS_KEY", "").strip() or None
        token = env.get("AWS_SESSION_TOKEN", "").strip() or None
        if key_id is None or secret is None:
            key_id = secret = token = None
        return cls(endpoints=endpoints, access_key_id=key_id, secret_access_key=secret, session_token=token)

    def endpoint(self, service: str) -> str | None:
        """The endpoint override for a botocore service name, or None for AWS's own."""
        return self.endpoints.get(service)

    @property
    def has_static_credentials(self) -> bool:
        """True when the environment carries an access key pair."""
        return self.access_key_id is not None and self.secret_access_key is not None


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """Connection settings shared by every client of one provider."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_pool_connections: int = 32

    def config(self, *, unsigned: bool = False) -> AioConfig:
        """The aiobotocore config: our timeouts, SDK retries off, endpoint env lookup off."""
        extra: dict[str, Any] = {"signature_version": UNSIGNED} if unsigned else {}
        return AioConfig(
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
            retries={"total_max_attempts": 1, "mode": "standard"},
            ignore_configured_endpoint_urls=True,
            user_agent_extra="eso",
            **extra,
        )


class _FixedCredentialProvider:
    """A botocore credential provider that always answers with one credentials object."""

    METHOD = "eso-assume-role"
    CANONICAL_NAME = "eso-assume-role"

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials

    async def load(self) -> Any:
        return self._credentials


class ClientFactory:
    """Creates aiobotocore clients for one provider (one shared session, one environment)."""

    def __init__(self, session: AioSession, environment: AWSEnvironment, options: ClientOptions) -> None:
        self.session = session
        self.environment = environment
        self.options = options

    def create(
        self,
        service: str,
        region: str,
        *,
        static: tuple[str, str, str | None] | None = None,
        credentials: Any = None,
        unsigned: bool = False,
    ) -> AbstractAsyncContextManager[Any]:
        """An async context manager yielding a client.

        ``static`` is an explicit key triple; ``credentials`` a (refreshable) botocore
        credentials object; neither means the shared session's default chain.
        """
        kwargs: dict[str, Any] = {
            "region_name": region,
            "endpoint_url": self.environment.endpoint(service),
            "config": self.options.config(unsigned=unsigned),
        }
        if static is not None:
            kwargs.update(
                aws_access_key_id=static[0], aws_secret_access_key=static[1], aws_session_token=static[2]
            )
            return self.session.create_client(service, **kwargs)  # type: ignore[no-any-return]
        if credentials is not None:
            return self._child_session(credentials).create_client(service, **kwargs)  # type: ignore[no-any-return]
        return self.session.create_client(service, **kwargs)  # type: ignore[no-any-return]

    def _child_session(self, credentials: Any) -> AioSession:
        child = AioSession()
        child.register_component("data_loader", self.session.get_component("data_loader"))
        child.register_component(
            "credential_provider", AioCredentialResolver([_FixedCredentialProvider(credentials)])
        )
        return child
