"""AWS Secrets Manager: reads (ESO ``providers/v1/aws/secretsmanager``), pushes in :mod:`.sm_push`.

* ``get_secret``: ``GetSecretValue`` with ``VersionStage`` (default ``AWSCURRENT``) or,
  for ``version: uuid/<id>``, ``VersionId``. ``SecretBinary`` is returned byte for byte.
  ``metadataPolicy: Fetch`` reads ``DescribeSecret`` instead and yields the tags as a
  JSON object (sorted keys, Go escaping), from which ``property`` selects one.
* ``get_secrets``: plain ``AWSCURRENT`` refs are read 20 per ``BatchGetSecretValue``
  (``SecretIdList``); per-secret errors become per-ref errors.
* ``get_versioned`` / ``list_versions`` (:class:`~eso.providers.base.VersionedSecretsClient`):
  the same reads with each value's ``VersionId``, and the current version ids of the
  store's secrets from ``ListSecrets`` (:mod:`.sm_versions`), so unchanged secrets need
  no value read.
* ``get_all_secrets`` (``find``):

  ==================  ===============================================================
  name + path         ``BatchGetSecretValue(Filters=[name=path, tag filters…])``, regexp
  name, no path       ``ListSecrets`` (tag filters), regexp, then batches of 20 by id
  tags only           ``BatchGetSecretValue`` with ``tag-key``/``tag-value`` (+ ``name``)
  ==================  ===============================================================

  Keys are the full secret names. Go RE2 semantics, unanchored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from eso.api import goregex
from eso.errors import ProviderError, SecretNotFound, SpecError
from eso.providers.aws import sm_push, sm_versions
from eso.providers.aws.calls import LABEL_SECRETS_MANAGER
from eso.providers.aws.client import AWSClient
from eso.providers.aws.errors import error_from_code
from eso.providers.aws.gojson import marshal_string_map
from eso.providers.base import (
    FindQuery,
    MetadataPolicy,
    PushEntry,
    PushSource,
    RemoteRef,
    VersionedValue,
    VersionListing,
)

__all__ = ["SecretsManagerClient", "payload_of"]

BATCH_SIZE = 20
CURRENT = "AWSCURRENT"


def payload_of(entry: dict[str, Any], name: str) -> bytes:
    """``SecretBinary`` if present, else ``SecretString``; neither is an error."""
    binary = entry.get("SecretBinary")
    if binary is not None:
        return bytes(binary)
    string = entry.get("SecretString")
    if string is not None:
        return str(string).encode("utf-8")
    raise ProviderError(f"invalid secret received. no secret string nor binary for key: {name}")


def version_params(version: str | None) -> dict[str, str]:
    """``VersionId`` for ``uuid/<id>``, otherwise ``VersionStage`` (default AWSCURRENT)."""
    if version and version.startswith("uuid/"):
        return {"VersionId": version.removeprefix("uuid/")}
    return {"VersionStage": version or CURRENT}


def tags_json(tags: Sequence[dict[str, Any]] | None) -> bytes:
    """Secret tags as ESO renders them: ``{"k":"v",…}``, keys sorted."""
    mapping = {str(tag.get("Key", "")): str(tag.get("Value", "")) for tag in tags or []}
    return marshal_string_map(mapping).encode("utf-8")


class SecretsManagerClient(AWSClient):
    """A store's Secrets Manager client (``service: SecretsManager``)."""

    label = LABEL_SECRETS_MANAGER

    async def get_secret(self, ref: RemoteRef) -> bytes:
        """Value, property or tags of one secret."""
        name = self.name(ref.key)
        if ref.metadata_policy is MetadataPolicy.FETCH:
            described = await self.call("DescribeSecret", subject=name, SecretId=name)
            payload = tags_json(described.get("Tags"))
        else:
            response = await self.call(
                "GetSecretValue", subject=name, SecretId=name, **version_params(ref.version)
            )
            payload = payload_of(response, name)
        return self.select(payload, ref)

    def batchable(self, ref: RemoteRef) -> bool:
        """Plain reads of the current version go through BatchGetSecretValue."""
        return ref.metadata_policy is MetadataPolicy.NONE and ref.version in (None, "", CURRENT)

    async def _batch_chunk(self, chunk: Sequence[str]) -> dict[str, VersionedValue | Exception]:
        response = await self.call("BatchGetSecretValue", SecretIdList=list(chunk))
        wanted = set(chunk)
        out: dict[str, VersionedValue | Exception] = {}
        for entry in response.get("SecretValues") or []:
            for ident in (entry.get("Name"), entry.get("ARN")):
                if ident in wanted:
                    try:
                        version = str(entry.get("VersionId") or "")
                        out[ident] = VersionedValue(payload_of(entry, ident), version)
                    except ProviderError as exc:
                        out[ident] = exc
        for error in response.get("Errors") or []:
            ident = error.get("SecretId")
            if ident in wanted:
                mapped = error_from_code(
                    "BatchGetSecretValue", error.get("ErrorCode", ""), error.get("Message", "")
                )
                if isinstance(mapped, SecretNotFound):
                    mapped = SecretNotFound(f"secret {ident} does not exist ({mapped.message})")
                out[ident] = mapped
        return out

    async def _batch_versioned(self, names: Sequence[str]) -> dict[str, VersionedValue | Exception]:
        chunks = [names[i : i + BATCH_SIZE] for i in range(0, len(names), BATCH_SIZE)]
        results: dict[str, VersionedValue | Exception] = {}
        for part in await asyncio.gather(*(self._batch_chunk(chunk) for chunk in chunks)):
            results.update(part)
        return results

    async def _batch_values(self, names: Sequence[str]) -> dict[str, bytes | Exception]:
        return {
            name: got if isinstance(got, Exception) else got.value
            for name, got in (await self._batch_versioned(names)).items()
        }

    async def _batch_filtered(self, filters: list[dict[str, Any]], matcher: Any) -> dict[str, bytes]:
        data: dict[str, bytes] = {}
        token: str | None = None
        while True:
            params: dict[str, Any] = {"Filters": filters, "MaxResults": BATCH_SIZE}
            if token:
                params["NextToken"] = token
            response = await self.call("BatchGetSecretValue", **params)
            for entry in response.get("SecretValues") or []:
                name = str(entry.get("Name", ""))
                if matcher is None or matcher.search(name):
                    data[name] = payload_of(entry, name)
            for error in response.get("Errors") or []:
                mapped = error_from_code(
                    "BatchGetSecretValue", error.get("ErrorCode", ""), error.get("Message", "")
                )
                if not isinstance(mapped, SecretNotFound):
                    # never drop a secret silently: deletionPolicy would remove its key
                    raise mapped
            token = response.get("NextToken")
            if not token:
                return data

    async def _list_names(self, filters: list[dict[str, Any]], matcher: Any) -> list[str]:
        names: list[str] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"MaxResults": 100}
            if filters:
                params["Filters"] = filters
            if token:
                params["NextToken"] = token
            response = await self.call("ListSecrets", **params)
            for entry in response.get("SecretList") or []:
                name = str(entry.get("Name", ""))
                if matcher.search(name):
                    names.append(name)
            token = response.get("NextToken")
            if not token:
                return names

    async def _single_versioned(self, name: str) -> VersionedValue:
        response = await self.call("GetSecretValue", subject=name, SecretId=name, VersionStage=CURRENT)
        return VersionedValue(payload_of(response, name), str(response.get("VersionId") or ""))

    async def _single_value(self, name: str) -> bytes:
        return (await self._single_versioned(name)).value

    def version_key(self, ref: RemoteRef) -> str | None:
        """The remote name of a plain current-version read (None otherwise: always read)."""
        return self.name(ref.key) if self.batchable(ref) else None

    async def get_versioned(self, refs: Sequence[RemoteRef]) -> dict[RemoteRef, VersionedValue | Exception]:
        """Values with their ``VersionId``: one ``GetSecretValue`` for one secret, batches for more."""
        unique = list(dict.fromkeys(refs))
        names = list(dict.fromkeys(self.name(ref.key) for ref in unique))
        if len(names) == 1:
            payloads = await self._gather(names, self._single_versioned)
        else:
            payloads = await self.read_names_with(names, self._batch_versioned, self._single_versioned)
        results: dict[RemoteRef, VersionedValue | Exception] = {}
        for ref in unique:
            got = payloads[self.name(ref.key)]
            if isinstance(got, Exception):
                results[ref] = got
                continue
            try:
                results[ref] = VersionedValue(self.select(got.value, ref), got.version)
            except ProviderError as exc:
                results[ref] = exc
        return {ref: results[ref] for ref in refs}

    async def list_versions(self, max_pages: int) -> VersionListing:
        """Current version ids of the store's secrets (see :mod:`.sm_versions`)."""
        return await sm_versions.list_versions(self, max_pages)

    async def _values_by_name(self, names: list[str]) -> dict[str, bytes]:
        data: dict[str, bytes] = {}
        for name, value in (await self.read_names(names)).items():
            if isinstance(value, SecretNotFound):
                continue  # deleted between the listing and the read
            if isinstance(value, Exception):
                raise value
            data[name] = value
        return data

    async def get_all_secrets(self, find: FindQuery) -> dict[str, bytes]:
        """``dataFrom[].find`` by name regexp, tags and path (see the module table)."""
        if find.name_regexp is None and not find.tags:
            raise SpecError("unexpected find operator: set name or tags")
        filters: list[dict[str, Any]] = []
        for key, value in sorted((find.tags or {}).items()):
            filters += [{"Key": "tag-key", "Values": [key]}, {"Key": "tag-value", "Values": [value]}]
        if find.name_regexp is None:
            if find.path:
                filters.append({"Key": "name", "Values": [find.path]})
            return await self._batch_filtered(filters, None)
        matcher = goregex.compile(find.name_regexp, field="find.name.regexp")
        if find.path:
            filters.append({"Key": "name", "Values": [find.path]})
            return await self._batch_filtered(filters, matcher)
        names = await self._list_names(filters, matcher)
        return await self._values_by_name(names)

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        """PushSecret: create or update (see :mod:`.sm_push`)."""
        await sm_push.push_secret(self, source, entry)

    async def delete_secret(self, entry: PushEntry) -> None:
        """PushSecret deletionPolicy Delete (see :mod:`.sm_push`)."""
        await sm_push.delete_secret(self, entry)

    async def secret_exists(self, entry: PushEntry) -> bool:
        """True when the secret (and, with a property, that property) exists."""
        return await sm_push.secret_exists(self, entry)
