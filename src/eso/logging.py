"""Structured logging: JSON lines in a cluster, a readable console format in a terminal.

:func:`configure` is called once by the CLI; nothing else touches global logging
state. Every event passes through :func:`redact`, which drops values of keys that may
carry secret material (``data``, ``stringData``, ``value``, ``secret``, ``token``, …) so
that a careless ``log.info(..., data=...)`` cannot leak. Reconcilers bind ``kind``,
``namespace``, ``name`` and ``store`` with structlog's contextvars.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

__all__ = ["LEVELS", "SENSITIVE_KEYS", "configure", "get_logger", "redact"]

LEVELS = ("debug", "info", "warn", "warning", "error", "dpanic", "panic", "fatal")

SENSITIVE_KEYS = frozenset(
    {
        "data",
        "string_data",
        "stringData",
        "value",
        "values",
        "secret",
        "secret_value",
        "password",
        "token",
        "secret_access_key",
        "session_token",
        "credentials",
        "payload",
        "body",
    }
)


def redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: replace the value of every sensitive key with ``[redacted]``."""
    for key in list(event):
        if key in SENSITIVE_KEYS:
            event[key] = "[redacted]"
    return event


def _level_number(level: str) -> int:
    return {
        "debug": logging.DEBUG,
        "info": logging.INFO,
        "warn": logging.WARNING,
        "warning": logging.WARNING,
        "error": logging.ERROR,
    }.get(level, logging.CRITICAL)


def configure(level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Set up structlog once for the process.

    ``fmt`` is ``json``, ``console`` or ``auto`` (console when ``stream`` is a terminal).
    """
    out = stream or sys.stderr
    if fmt == "auto":
        fmt = "console" if out.isatty() else "json"
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False)
        if fmt == "console"
        else structlog.processors.JSONRenderer(sort_keys=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_level_number(level)),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    # botocore logs request bodies (secret values) at DEBUG and noisy tracebacks at WARNING.
    for name in ("botocore", "aiobotocore", "boto3", "urllib3", "httpx2", "httpcore"):
        logging.getLogger(name).setLevel(logging.ERROR)


def get_logger(name: str) -> Any:
    """A structlog logger bound with ``logger=name``."""
    return structlog.get_logger().bind(logger=name)
