"""How the API server's responses become eso's errors.

A status maps to the error tree of :mod:`eso.errors` (403 Forbidden, 404 NotFound,
409 Conflict, 410 Gone, 422 Invalid, 429 TooManyRequests, 5xx KubeUnavailable); the
message is the API server's own, cut to 512 characters.
"""

from __future__ import annotations

import json

from eso.errors import (
    Conflict,
    Forbidden,
    Gone,
    Invalid,
    KubeAPIError,
    KubeUnavailable,
    NotFound,
    TooManyRequests,
)

__all__ = ["error_from_response", "retry_after"]

_MAX_MESSAGE = 512

_STATUS_ERRORS: dict[int, type[KubeAPIError]] = {
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Gone,
    422: Invalid,
    429: TooManyRequests,
}


def error_from_response(status: int, body: bytes, what: str) -> KubeAPIError:
    """The typed error for a failed response (the API server's own message, cut to a length)."""
    reason, message = "", ""
    try:
        payload = json.loads(body)
        if isinstance(payload, dict):
            reason = str(payload.get("reason", ""))
            message = str(payload.get("message", ""))
    except ValueError:
        message = body[:_MAX_MESSAGE].decode("utf-8", "replace")
    message = (message or f"HTTP {status}")[:_MAX_MESSAGE]
    cls = _STATUS_ERRORS.get(status, KubeAPIError)
    if status >= 500:
        cls = KubeUnavailable
    return cls(f"{what}: {message}", status=status, reason=reason)


def retry_after(value: str | None) -> float | None:
    """Seconds of a ``Retry-After`` header (None when absent or not a number)."""
    try:
        return float(value) if value else None
    except ValueError:
        return None
