"""The provider contract: what a secret-store backend must offer.

Modelled on ESO's ``apis/externalsecrets/v1/provider.go``. A :class:`Provider` is
registered under the one-of key it serves in ``spec.provider`` (``aws``, ``fake``, …).
For each store it builds a :class:`SecretsClient`, which does the remote reads and
writes. Controllers only ever see these protocols; each SDK is imported only inside its
provider package.

Requests are small frozen records (:class:`RemoteRef`, :class:`FindQuery`,
:class:`PushEntry`), not API models, so a provider does not change when a CRD gains a
field it does not care about. Providers reach Kubernetes only through the narrow
:class:`KubeAccess` protocol (read a Secret key, read a ServiceAccount, request a token),
which lets unit tests fake it and keeps the namespace rules in one place
(:mod:`eso.providers.refs`).

Errors: a provider raises only :mod:`eso.errors` types. ``SecretNotFound`` is the typed
not-found that drives ``deletionPolicy``; every other failure is a ``ProviderError``
subclass with a sanitized message (no secret value, no request id, no credential).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from eso.api._base import Model

__all__ = [
    "BatchSecretsClient",
    "CallRecorder",
    "Capabilities",
    "FindQuery",
    "KubeAccess",
    "MetadataPolicy",
    "Provider",
    "PushEntry",
    "PushSource",
    "RemoteRef",
    "SecretsClient",
    "StoreContext",
    "StoreKind",
    "ValidationResult",
    "VersionListing",
    "VersionedSecretsClient",
    "VersionedValue",
]


class ValidationResult(enum.IntEnum):
    """Outcome of a live store validation (ESO's ValidationResult)."""

    READY = 0
    UNKNOWN = 1
    ERROR = 2


class Capabilities(enum.StrEnum):
    """What a store can do; shown in ``status.capabilities``."""

    READ_ONLY = "ReadOnly"
    WRITE_ONLY = "WriteOnly"
    READ_WRITE = "ReadWrite"


class StoreKind(enum.StrEnum):
    """The two store kinds."""

    SECRET_STORE = "SecretStore"
    CLUSTER_SECRET_STORE = "ClusterSecretStore"


class MetadataPolicy(enum.StrEnum):
    """``remoteRef.metadataPolicy``: read the value, or the secret's tags/metadata."""

    NONE = "None"
    FETCH = "Fetch"


@dataclass(frozen=True, slots=True)
class RemoteRef:
    """One remote secret to read (``data[].remoteRef`` or ``dataFrom[].extract``)."""

    key: str
    property: str | None = None
    version: str | None = None
    metadata_policy: MetadataPolicy = MetadataPolicy.NONE


@dataclass(frozen=True, slots=True)
class FindQuery:
    """``dataFrom[].find``: secrets selected by name regexp, tags and path."""

    name_regexp: str | None = None
    tags: Mapping[str, str] | None = None
    path: str | None = None
    conversion_strategy: str = "Default"


@dataclass(frozen=True, slots=True)
class PushSource:
    """The (possibly templated) Kubernetes Secret a PushSecret pushes from."""

    name: str
    namespace: str
    data: Mapping[str, bytes]
    type: str = "Opaque"
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PushEntry:
    """One ``PushSecret.spec.data[]`` entry.

    ``secret_key`` None means "the whole Secret"; ``metadata`` is the raw provider
    metadata (normally a PushSecretMetadata envelope).
    """

    remote_key: str
    secret_key: str | None = None
    property: str | None = None
    metadata: Any = None


@dataclass(frozen=True, slots=True)
class StoreContext:
    """Everything a provider needs to know about the store it serves.

    ``namespace`` is the store's namespace (None for a ClusterSecretStore).
    ``consumer_namespace`` is the namespace of the ExternalSecret or PushSecret being
    served; it is None while the store itself is validated (referent auth is then
    unknown). ``spec`` is the typed provider spec (for example ``AWSProvider``).
    ``generation`` and ``resource_version`` let client caches notice store changes.
    """

    kind: StoreKind
    name: str
    namespace: str | None
    spec: Model
    consumer_namespace: str | None = None
    uid: str = ""
    resource_version: str = ""
    retry_max: int | None = None
    retry_interval_seconds: float | None = None

    @property
    def is_cluster(self) -> bool:
        """True for a ClusterSecretStore."""
        return self.kind is StoreKind.CLUSTER_SECRET_STORE

    @property
    def display(self) -> str:
        """``SecretStore default/aws`` or ``ClusterSecretStore aws``, for messages."""
        if self.namespace:
            return f"{self.kind.value} {self.namespace}/{self.name}"
        return f"{self.kind.value} {self.name}"


class KubeAccess(Protocol):
    """The only Kubernetes operations a provider may perform.

    Implementations enforce nothing about namespaces: callers resolve references with
    :mod:`eso.providers.refs` first. ``operator_service_account`` is the
    ``(namespace, name)`` identity eso runs as, when known.
    """

    @property
    def operator_service_account(self) -> tuple[str, str] | None:
        """The ServiceAccount eso runs as (from the pod, or ``--service-account``)."""
        ...

    async def read_secret_key(self, namespace: str, name: str, key: str) -> bytes:
        """Return one key of a Secret; raise SpecError naming the Secret/key if absent."""
        ...

    async def read_service_account(self, namespace: str, name: str) -> Mapping[str, Any]:
        """Return the ServiceAccount object (as JSON); raise SpecError if absent."""
        ...

    async def request_token(
        self, namespace: str, name: str, audiences: list[str], expiration_seconds: int
    ) -> str:
        """TokenRequest for a ServiceAccount; return the JWT."""
        ...


@runtime_checkable
class SecretsClient(Protocol):
    """A connection to one store, reused across reconciles until the store changes."""

    async def get_secret(self, ref: RemoteRef) -> bytes:
        """Value of one remote secret (or of one property of it)."""
        ...

    async def get_secret_map(self, ref: RemoteRef) -> dict[str, bytes]:
        """A remote JSON object exploded into keys (``dataFrom[].extract``)."""
        ...

    async def get_all_secrets(self, find: FindQuery) -> dict[str, bytes]:
        """Every secret matching ``find``, keyed by its full remote name."""
        ...

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        """Write one entry to the store (create or update)."""
        ...

    async def delete_secret(self, entry: PushEntry) -> None:
        """Delete what :meth:`push_secret` wrote for ``entry`` (no-op if absent or unmanaged)."""
        ...

    async def secret_exists(self, entry: PushEntry) -> bool:
        """True when the remote secret of ``entry`` exists."""
        ...

    async def validate(self) -> ValidationResult:
        """Live check that the store is usable (credentials resolve, API answers)."""
        ...

    async def close(self) -> None:
        """Release connections and credentials."""
        ...


@runtime_checkable
class BatchSecretsClient(SecretsClient, Protocol):
    """A client that can read many secrets in few calls (BatchGetSecretValue, GetParameters).

    The result maps every requested ref to its value or to the ProviderError it raised
    (``SecretNotFound`` for a missing one), exactly as :meth:`SecretsClient.get_secret`
    would have, so callers can treat a batch as N single reads.
    """

    async def get_secrets(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, bytes | Exception]:
        """Values (or errors) for ``refs``; no ref is left out of the result."""
        ...


@dataclass(frozen=True, slots=True)
class VersionedValue:
    """A value read together with the id of the (immutable) version it came from."""

    value: bytes
    version: str
    """The version id; "" when the provider did not say (the value is then never reused)."""


@dataclass(frozen=True, slots=True)
class VersionListing:
    """Current version ids of a store's secrets, from one (paginated) listing.

    ``current`` maps every listed secret, by each of its names (name and ARN), to the id
    of its current version. ``complete`` is False when the listing stopped at its page
    budget with more to come: it then says nothing about the secrets it did not reach.
    """

    current: Mapping[str, str]
    pages: int
    complete: bool


@runtime_checkable
class VersionedSecretsClient(BatchSecretsClient, Protocol):
    """A client whose secrets have immutable versions and a cheap listing of the current ones.

    A value read together with its version id stays right for as long as the listing
    shows that version as current, so a caller may reuse it instead of reading it again.
    """

    def version_key(self, ref: RemoteRef) -> str | None:
        """The remote id under which :meth:`list_versions` reports ``ref``'s secret.

        None when ``ref`` is not a plain read of the current version (an explicit
        version, metadata): such refs are always read.
        """
        ...

    async def get_versioned(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, VersionedValue | Exception]:
        """Values with their version ids (or errors), as :meth:`get_secrets`; refs have a version key."""
        ...

    async def list_versions(self, max_pages: int) -> VersionListing:
        """Current version ids of the store's secrets, reading at most ``max_pages`` pages."""
        ...


class CallRecorder(Protocol):
    """Counts provider API calls (``externalsecret_provider_api_calls_count``).

    ``provider`` is ESO's label value (``AWS/SecretsManager``), ``call`` the API operation
    (``GetSecretValue``) and ``status`` ``success`` or ``error``. Never a secret name.
    """

    def __call__(self, provider: str, call: str, status: str) -> None:
        """Record one call."""
        ...


class Provider(Protocol):
    """A backend kind, registered under its ``spec.provider`` key."""

    name: str
    """The ``spec.provider`` key this provider serves (``aws``, ``fake``, …)."""

    def parse_spec(self, raw: Mapping[str, Any]) -> Model:
        """Typed provider spec from the raw ``spec.provider.<name>`` object.

        Raises SpecError naming the field (``spec.provider.aws.region``) when invalid.
        """
        ...

    def capabilities(self, spec: Model) -> Capabilities:
        """What stores with this spec can do."""
        ...

    def rate_limit(self, spec: Model) -> tuple[float, int]:
        """Default request rate for one store's client: ``(qps, burst)``; qps 0 = unlimited."""
        ...

    def depends_on_consumer(self, spec: Model) -> bool:
        """True when a ClusterSecretStore client differs per consumer namespace.

        That is the case for referent credentials (a Secret or ServiceAccount reference
        without a namespace resolves in the ExternalSecret's namespace) and for anything
        else derived from the consumer (session tags naming it). When False, one client
        and one set of shared reads serve every namespace that uses the store.
        """
        ...

    def validate_store(self, store: StoreContext) -> list[str]:
        """Static validation; returns warnings, raises SpecError on an invalid spec."""
        ...

    async def new_client(
        self, store: StoreContext, kube: KubeAccess, recorder: CallRecorder | None = None
    ) -> SecretsClient:
        """Build a client for ``store``, resolving its credentials through ``kube``.

        The client is cached by the caller and reused across reconciles until the store
        changes, so credentials it obtains (assumed roles, web identity) must refresh
        themselves before they expire. ``recorder`` counts every API call it makes.
        """
        ...
