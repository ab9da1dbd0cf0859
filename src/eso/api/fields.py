"""Constrained field types shared by the models (names, keys, durations, timestamps).

Each is an ``Annotated`` type: pydantic enforces the constraint when a manifest is
parsed, and :mod:`eso.api.crds` turns the same constraint into the CRD schema
(``pattern``, ``minLength``, ``maxLength``, ``format``), so both always agree.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from eso.api.duration import parse_duration_ns
from eso.errors import SpecError

__all__ = [
    "DNS_LABEL_PATTERN",
    "DNS_SUBDOMAIN_PATTERN",
    "SECRET_KEY_PATTERN",
    "SYNC_SCHEDULE_PATTERN",
    "DateTime",
    "Duration",
    "NamespaceName",
    "ResourceName",
    "SecretKeyName",
]

DNS_SUBDOMAIN_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
"""A DNS-1123 subdomain: the name of most Kubernetes objects."""

DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
"""A DNS-1123 label: a namespace name."""

SECRET_KEY_PATTERN = r"^[-._a-zA-Z0-9]+$"
"""A valid key of a Secret's ``data``."""

SYNC_SCHEDULE_PATTERN = (
    r"^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|@every [^\s]+.*|[^\s]+( [^\s]+){4})$"
)
"""A sync window schedule: a 5-field cron expression or a descriptor (``@daily``, ``@every 1h``)."""


def _check_duration(value: str) -> str:
    try:
        parse_duration_ns(value)
    except SpecError as exc:
        raise ValueError(exc.message) from None
    return value


ResourceName = Annotated[str, Field(min_length=1, max_length=253, pattern=DNS_SUBDOMAIN_PATTERN)]
"""The name of a Kubernetes object (Secret, store, generator, …)."""

NamespaceName = Annotated[str, Field(min_length=1, max_length=63, pattern=DNS_LABEL_PATTERN)]
"""The name of a namespace."""

SecretKeyName = Annotated[str, Field(min_length=1, max_length=253, pattern=SECRET_KEY_PATTERN)]
"""A key of a Secret's ``data``."""

Duration = Annotated[str, AfterValidator(_check_duration)]
"""A Go duration string (``1h``, ``30m0s``, ``0``), checked when parsed and kept as written."""

DateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
"""An RFC 3339 timestamp as the API server writes it (``2024-01-01T00:00:00Z``)."""
