"""Turn botocore/aiobotocore exceptions into :mod:`eso.errors`, with sanitized messages.

The single place where SDK failures are classified:

* ``ResourceNotFoundException``, ``ParameterNotFound``, ``ParameterVersionNotFound``,
  ``InvalidResourceId`` and "marked for deletion" → :class:`SecretNotFound`;
* access denied, unknown or expired credentials, bad signatures, refused web identity
  tokens, missing credentials → :class:`ProviderAuthError`;
* throttling, HTTP 5xx, connection refused, timeouts → :class:`ProviderUnavailable`,
  naming the real cause (``connection refused``, ``timeout``);
* anything else → :class:`ProviderError` (temporary).

Messages are sanitized as ESO's ``util/errors.go`` does (``request id: …`` removed,
everything after `` Credential=`` cut) and any value the caller marks as sensitive (the
value being pushed) is redacted. The SDK exception is kept as ``__cause__``.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ReadTimeoutError,
    RefreshWithMFAUnsupportedError,
    SSLError,
    UnauthorizedSSOTokenError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from eso.errors import (
    EsoError,
    ProviderAuthError,
    ProviderError,
    ProviderUnavailable,
    SecretNotFound,
)

__all__ = ["error_code", "error_from_code", "map_error", "sanitize"]

NOT_FOUND_CODES = frozenset(
    {"ResourceNotFoundException", "ParameterNotFound", "ParameterVersionNotFound", "InvalidResourceId"}
)
AUTH_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidIdentityToken",
        "IDPRejectedClaim",
        "IDPCommunicationError",
        "AuthFailure",
        "RegionDisabledException",
    }
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "ProvisionedThroughputExceededException",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "BandwidthLimitExceeded",
    }
)
UNAVAILABLE_CODES = frozenset(
    {"InternalServiceError", "InternalFailure", "InternalServerError", "ServiceUnavailable", "RequestTimeout"}
)
_MARKED_FOR_DELETION = re.compile(r"marked for deletion|marked deleted|scheduled for deletion", re.IGNORECASE)
_REQUEST_ID = re.compile(r",?\s*request[ _-]?id:?\s*[^\s,]*,?", re.IGNORECASE)
_CREDENTIAL = re.compile(r" Credential=.*", re.DOTALL)
_PARAM_VALUE = re.compile(r"value: .*?, (?=type|valid)", re.DOTALL)
_VALUE_QUOTED = re.compile(r"Value '.*?' at '", re.DOTALL)
_BOTOCORE_PREFIX = re.compile(r"An error occurred \([^)]*\) when calling the \w+ operation(?: \([^)]*\))?: ")
_SPACES = re.compile(r"\s+")


def sanitize(text: str, sensitive: Iterable[str | bytes] = ()) -> str:
    """``text`` without request ids, credential fragments or any ``sensitive`` value."""
    for value in sensitive:
        plain = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
        if len(plain) >= 3:
            text = text.replace(plain, "[redacted]")
    text = _CREDENTIAL.sub("", text)
    text = _REQUEST_ID.sub("", text)
    text = _BOTOCORE_PREFIX.sub("", text)
    text = _VALUE_QUOTED.sub("Value [redacted] at '", text)
    return _SPACES.sub(" ", text).strip()


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError (``""`` for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def _status(exc: ClientError) -> int:
    meta = exc.response.get("ResponseMetadata", {})
    return int(meta.get("HTTPStatusCode", 0) or 0)


def _connection_cause(exc: BaseException) -> str:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, SSLError):
            return "TLS handshake failed"
        if (
            isinstance(current, ConnectionRefusedError)
            or getattr(current, "errno", None) == errno.ECONNREFUSED
        ):
            return "connection refused"
        if isinstance(current, TimeoutError | ConnectTimeoutError | ReadTimeoutError):
            return "timeout"
        lowered = str(current).lower()
        if "connection refused" in lowered:
            return "connection refused"
        if "timed out" in lowered or "timeout" in lowered:
            return "timeout"
        for attr in ("os_error", "__cause__", "__context__"):
            inner = getattr(current, attr, None)
            if isinstance(inner, BaseException):
                stack.append(inner)
        kwargs = getattr(current, "kwargs", None)
        if isinstance(kwargs, dict) and isinstance(kwargs.get("error"), BaseException):
            stack.append(kwargs["error"])
    return "connection failed"


def error_from_code(
    op: str, code: str, raw_message: str, status: int = 0, sensitive: Iterable[str | bytes] = ()
) -> ProviderError:
    """The eso error for an AWS error ``code`` (also used for per-secret batch errors)."""
    message = sanitize(f"{op}: {code}: {raw_message}" if code else f"{op}: {raw_message}", sensitive)
    if code in NOT_FOUND_CODES or (
        code in ("InvalidRequestException", "InvalidParameterException")
        and _MARKED_FOR_DELETION.search(raw_message)
    ):
        return SecretNotFound(message)
    if code in AUTH_CODES or status in (401, 403):
        return ProviderAuthError(message)
    if code in THROTTLING_CODES or status == 429:
        return ProviderUnavailable(f"{message} (throttled)")
    if code in UNAVAILABLE_CODES or status >= 500:
        return ProviderUnavailable(message)
    return ProviderError(message)


def _client_error(op: str, exc: ClientError, sensitive: Iterable[str | bytes]) -> ProviderError:
    code = error_code(exc)
    raw_message = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
    return error_from_code(op, code, raw_message, _status(exc), sensitive)


def map_error(op: str, exc: BaseException, sensitive: Iterable[str | bytes] = ()) -> EsoError:
    """The eso error for ``exc`` raised by the API operation ``op`` (``GetSecretValue``)."""
    if isinstance(exc, EsoError):
        return exc
    if isinstance(exc, ClientError):
        return _client_error(op, exc, sensitive)
    if isinstance(exc, BotoConnectionError | HTTPClientError | TimeoutError):
        endpoint = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        where = f" {endpoint}" if endpoint else ""
        return ProviderUnavailable(f"{op}: could not reach{where}: {_connection_cause(exc)}")
    if isinstance(
        exc,
        NoCredentialsError
        | PartialCredentialsError
        | CredentialRetrievalError
        | RefreshWithMFAUnsupportedError
        | UnauthorizedSSOTokenError,
    ):
        return ProviderAuthError(sanitize(f"{op}: {exc}", sensitive))
    if isinstance(exc, NoRegionError):
        return ProviderError(f"{op}: no region configured")
    if isinstance(exc, ParamValidationError):
        report = _PARAM_VALUE.sub("value: [redacted], ", str(exc))
        return ProviderError(sanitize(f"{op}: {report}", sensitive))
    if isinstance(exc, OSError):
        return ProviderUnavailable(f"{op}: {_connection_cause(exc)}")
    return ProviderError(sanitize(f"{op}: {type(exc).__name__}: {exc}", sensitive))
