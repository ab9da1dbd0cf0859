"""Secrets Manager version ids: which version of each secret is current, from ``ListSecrets``.

Secret versions are immutable, so a value read together with its ``VersionId`` stays
right for as long as the secret's ``AWSCURRENT`` stage points at that version. One
``ListSecrets`` page reports up to 100 secrets with their ``SecretVersionsToStages``;
:func:`list_versions` maps each secret, by name and by ARN, to its current version id.

* With ``spec.prefix`` the listing is narrowed by a ``name`` filter (a prefix match;
  only when the prefix is made of the characters the filter accepts). It may match more
  than the store reads (the filter ignores case); that only costs entries.
* Secrets scheduled for deletion are not listed (``IncludePlannedDeletion`` stays off),
  so a caller never reuses a value of a secret that is going away.
* The listing stops after ``max_pages`` pages; it is then marked incomplete.

``ListSecrets`` is eventually consistent: a new version may show a little later there
than in ``GetSecretValue``. Callers bound how long they trust a listing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from eso.providers.base import VersionListing

if TYPE_CHECKING:
    from eso.providers.aws.secretsmanager import SecretsManagerClient

__all__ = ["PAGE_SIZE", "current_version", "list_versions"]

PAGE_SIZE = 100
CURRENT = "AWSCURRENT"
_FILTER_VALUE = re.compile(r"^[a-zA-Z0-9 :_@/+=.\-]{1,512}$")


def current_version(stages: Mapping[str, Sequence[str]] | None) -> str | None:
    """The version id whose stages hold ``AWSCURRENT`` (None when none does)."""
    for version_id, labels in (stages or {}).items():
        if CURRENT in (labels or ()):
            return str(version_id)
    return None


def _filters(prefix: str | None) -> list[dict[str, Any]]:
    if prefix and _FILTER_VALUE.match(prefix):
        return [{"Key": "name", "Values": [prefix]}]
    return []


async def list_versions(client: SecretsManagerClient, max_pages: int) -> VersionListing:
    """Current version ids of the store's secrets (by name and ARN), at most ``max_pages`` pages."""
    current: dict[str, str] = {}
    params: dict[str, Any] = {"MaxResults": PAGE_SIZE}
    filters = _filters(client.spec.prefix)
    if filters:
        params["Filters"] = filters
    pages = 0
    while pages < max_pages:
        response = await client.call("ListSecrets", **params)
        pages += 1
        for entry in response.get("SecretList") or []:
            version = current_version(entry.get("SecretVersionsToStages"))
            if version is None:
                continue  # no current value: a read of it must fail as it does today
            for ident in (entry.get("Name"), entry.get("ARN")):
                if ident:
                    current[str(ident)] = version
        token = response.get("NextToken")
        if not token:
            return VersionListing(current=current, pages=pages, complete=True)
        params["NextToken"] = token
    return VersionListing(current=current, pages=pages, complete=False)
