"""The one exception tree of eso.

Every error eso raises on purpose is an :class:`EsoError`. Each class is either
*temporary* (the same call may succeed later: retry with backoff) or *permanent*
(nothing changes until the user changes a spec or a credential: report it and wait).
The split is decided by type, never by matching message text::

    EsoError
    ├── ConfigError                  permanent  bad operator settings at start-up
    ├── SpecError                    permanent  a user's manifest is invalid (names the field)
    │   └── TemplateError            permanent  a template failed to parse or execute
    ├── ProviderError                temporary  a secret store failed (default for SDK errors)
    │   ├── SecretNotFound           permanent  the remote secret does not exist (drives deletionPolicy)
    │   ├── ProviderAuthError        permanent  credentials were refused or cannot be built
    │   ├── ProviderUnavailable      temporary  connection refused, timeout, throttling, 5xx
    │   ├── CapabilityError          permanent  the store cannot do this (push to a read-only store)
    │   ├── NotManagedError          permanent  a remote secret exists but eso does not manage it
    │   └── NotModified              temporary  nothing changed at the provider (not a failure)
    └── KubeAPIError                 temporary  the Kubernetes API answered with an error status
        ├── NotFound (404)           permanent
        ├── Conflict (409)           temporary  resourceVersion clash or create of an existing object
        ├── Gone (410)               temporary  a watch's resourceVersion is too old: relist
        ├── Forbidden (403)          permanent
        ├── Invalid (422)            permanent
        ├── TooManyRequests (429)    temporary  carries retry_after
        ├── KubeUnavailable          temporary  the API server could not be reached
        └── NotLeader                permanent  a write refused because this replica lost its Lease

Rules:

* A message never contains a secret value. Provider errors are sanitized at the provider
  edge (request ids and credential fragments removed) and SDK exceptions are chained with
  ``raise ... from exc`` so the cause stays available to debuggers, not to users.
* ``field`` names the offending manifest field with its index, as the user wrote it
  (``spec.data[1].remoteRef.property``); messages built with :func:`at_field` put it first.
"""

from __future__ import annotations

__all__ = [
    "CapabilityError",
    "ConfigError",
    "Conflict",
    "EsoError",
    "Forbidden",
    "Gone",
    "Invalid",
    "KubeAPIError",
    "KubeUnavailable",
    "NotFound",
    "NotLeader",
    "NotManagedError",
    "NotModified",
    "ProviderAuthError",
    "ProviderError",
    "ProviderUnavailable",
    "SecretNotFound",
    "SpecError",
    "TemplateError",
    "TooManyRequests",
    "at_field",
    "is_temporary",
]


class EsoError(Exception):
    """Base of every error eso raises on purpose.

    ``temporary`` tells the reconciler whether to retry with backoff (True) or to report
    the error and wait for a change (False). ``retry_after`` is a hint in seconds.
    """

    temporary: bool = False

    def __init__(self, message: str, *, field: str | None = None, retry_after: float | None = None) -> None:
        self.message = message
        self.field = field
        self.retry_after = retry_after
        super().__init__(at_field(field, message) if field else message)


def at_field(field: str | None, message: str) -> str:
    """Return ``message`` prefixed by the field path it concerns, when there is one."""
    return f"{field}: {message}" if field else message


def is_temporary(exc: BaseException) -> bool:
    """True when retrying the same operation later may succeed.

    Unknown exceptions (bugs, unexpected library errors) count as temporary so that a
    reconcile is retried with backoff instead of being dropped.
    """
    if isinstance(exc, EsoError):
        return exc.temporary
    return True


class ConfigError(EsoError):
    """Operator settings are invalid (a bad flag value, an unreadable kubeconfig)."""


class SpecError(EsoError):
    """A user's manifest is invalid; the message names the field."""


class TemplateError(SpecError):
    """A template failed to parse or to execute. Never carries the data it was given."""


class ProviderError(EsoError):
    """A secret store failed. Temporary unless a subclass says otherwise."""

    temporary = True


class SecretNotFound(ProviderError):
    """The remote secret (or the selected version or property) does not exist.

    ESO's ``NoSecretError``: it is what lets ``deletionPolicy`` Delete/Merge remove keys.
    """

    temporary = False


class ProviderAuthError(ProviderError):
    """Credentials for a store are missing, malformed or refused."""

    temporary = False


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or throttled the call."""

    temporary = True


class CapabilityError(ProviderError):
    """The store cannot perform this operation (for example a push to a read-only store)."""

    temporary = False


class NotManagedError(ProviderError):
    """A remote secret exists but is not tagged as managed by eso; it is never overwritten."""

    temporary = False


class NotModified(ProviderError):
    """The provider reports that nothing changed since the last read."""

    temporary = True


class KubeAPIError(EsoError):
    """The Kubernetes API returned an error status.

    ``status`` is the HTTP code, ``reason`` the Status reason (``NotFound``, ``Conflict``, …).
    """

    temporary = True

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        reason: str = "",
        field: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        super().__init__(message, field=field, retry_after=retry_after)


class NotFound(KubeAPIError):
    """404: the object does not exist."""

    temporary = False


class Conflict(KubeAPIError):
    """409: the object changed since it was read, or it already exists."""


class Gone(KubeAPIError):
    """410: the requested resourceVersion is too old; a watch must relist."""


class Forbidden(KubeAPIError):
    """403: RBAC refused the request."""

    temporary = False


class Invalid(KubeAPIError):
    """422: the API server refused the object as invalid."""

    temporary = False


class TooManyRequests(KubeAPIError):
    """429: the API server asks the client to slow down (see ``retry_after``)."""


class KubeUnavailable(KubeAPIError):
    """The API server could not be reached (connection refused, timeout, TLS failure)."""


class NotLeader(KubeAPIError):
    """A write was refused locally: this replica is not (or no longer) the leader."""

    temporary = False
