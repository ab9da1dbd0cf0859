"""AWS Systems Manager Parameter Store: reads (ESO ``providers/v1/aws/parameterstore``).

* ``get_secret``: ``GetParameter(Name=prefix+key[:version], WithDecryption=true)``;
  ``version`` uses SSM's selector syntax (``name:3`` or ``name:label``).
  ``metadataPolicy: Fetch`` reads ``ListTagsForResource`` and yields the tags as JSON.
* ``get_secrets``: plain refs go 10 per ``GetParameters``; ``InvalidParameters`` become
  per-ref :class:`SecretNotFound`.
* ``get_all_secrets``: with ``name``, ``GetParametersByPath(path or "/", recursive,
  decrypted)`` and the regexp on the full name; **tags are then ignored**, as in ESO. On
  access denied it falls back to ``DescribeParameters`` + ``GetParameters``. With tags
  only: ``DescribeParameters`` with ``tag:<k>`` Equals filters (+ ``Path`` Recursive),
  then ``GetParameters`` in batches of 10 (ESO reads them one by one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from eso.api import goregex
from eso.errors import ProviderAuthError, ProviderError, SecretNotFound, SpecError
from eso.providers.aws import ps_push
from eso.providers.aws.calls import LABEL_PARAMETER_STORE
from eso.providers.aws.client import AWSClient
from eso.providers.aws.gojson import marshal_string_map
from eso.providers.aws.pushdata import tags_from_list
from eso.providers.base import FindQuery, MetadataPolicy, PushEntry, PushSource, RemoteRef

__all__ = ["ParameterStoreClient"]

BATCH_SIZE = 10


def _value_of(response: dict[str, Any], name: str) -> bytes:
    value = (response.get("Parameter") or {}).get("Value")
    if value is None:
        raise ProviderError(f"invalid secret received. parameter value is nil for key: {name}")
    return str(value).encode("utf-8")


class ParameterStoreClient(AWSClient):
    """A store's Parameter Store client (``service: ParameterStore``)."""

    label = LABEL_PARAMETER_STORE

    async def tags(self, name: str) -> dict[str, str]:
        """Tags of the parameter ``name``; SecretNotFound when it does not exist."""
        response = await self.call(
            "ListTagsForResource", subject=name, ResourceType="Parameter", ResourceId=name
        )
        return tags_from_list(response.get("TagList"))

    async def get_secret(self, ref: RemoteRef) -> bytes:
        """Value, property or tags of one parameter."""
        name = self.name(ref.key)
        if ref.metadata_policy is MetadataPolicy.FETCH:
            payload = marshal_string_map(await self.tags(name)).encode("utf-8")
        else:
            selector = f"{name}:{ref.version}" if ref.version else name
            response = await self.call("GetParameter", subject=selector, Name=selector, WithDecryption=True)
            payload = _value_of(response, name)
        return self.select(payload, ref)

    def batchable(self, ref: RemoteRef) -> bool:
        """Plain reads of the latest version go through GetParameters."""
        return ref.metadata_policy is MetadataPolicy.NONE and not ref.version

    async def _single_value(self, name: str) -> bytes:
        response = await self.call("GetParameter", subject=name, Name=name, WithDecryption=True)
        return _value_of(response, name)

    async def _batch_chunk(self, chunk: Sequence[str]) -> dict[str, bytes | Exception]:
        response = await self.call("GetParameters", Names=list(chunk), WithDecryption=True)
        wanted = set(chunk)
        out: dict[str, bytes | Exception] = {}
        for parameter in response.get("Parameters") or []:
            for ident in (parameter.get("Name"), parameter.get("ARN")):
                if ident in wanted and parameter.get("Value") is not None:
                    out[ident] = str(parameter["Value"]).encode("utf-8")
        for ident in response.get("InvalidParameters") or []:
            if ident in wanted:
                out[ident] = SecretNotFound(
                    f"secret {ident} does not exist (GetParameters: ParameterNotFound)"
                )
        return out

    async def _batch_values(self, names: Sequence[str]) -> dict[str, bytes | Exception]:
        chunks = [names[i : i + BATCH_SIZE] for i in range(0, len(names), BATCH_SIZE)]
        results: dict[str, bytes | Exception] = {}
        for part in await asyncio.gather(*(self._batch_chunk(chunk) for chunk in chunks)):
            results.update(part)
        return results

    async def _values_of(self, names: list[str]) -> dict[str, bytes]:
        data: dict[str, bytes] = {}
        for name, value in (await self.read_names(names)).items():
            if isinstance(value, SecretNotFound):
                continue  # deleted between the listing and the read
            if isinstance(value, Exception):
                raise value
            data[name] = value
        return data

    async def _describe_names(self, filters: list[dict[str, Any]]) -> list[str]:
        names: list[str] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"MaxResults": 50}
            if filters:
                params["ParameterFilters"] = filters
            if token:
                params["NextToken"] = token
            response = await self.call("DescribeParameters", **params)
            names += [str(p.get("Name", "")) for p in response.get("Parameters") or []]
            token = response.get("NextToken")
            if not token:
                return names

    async def _by_path(self, path: str, matcher: Any) -> dict[str, bytes]:
        data: dict[str, bytes] = {}
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "Path": path,
                "Recursive": True,
                "WithDecryption": True,
                "MaxResults": 10,
            }
            if token:
                params["NextToken"] = token
            response = await self.call("GetParametersByPath", **params)
            for parameter in response.get("Parameters") or []:
                name = str(parameter.get("Name", ""))
                if matcher.search(name) and parameter.get("Value") is not None:
                    data[name] = str(parameter["Value"]).encode("utf-8")
            # moto (and AWS, "best effort") may return a page with no parameters but a token
            token = response.get("NextToken")
            if not token:
                return data

    async def get_all_secrets(self, find: FindQuery) -> dict[str, bytes]:
        """``dataFrom[].find`` by name regexp (tags ignored then) or by tags, under ``path``."""
        path_filter = [{"Key": "Path", "Option": "Recursive", "Values": [find.path]}] if find.path else []
        if find.name_regexp is not None:
            matcher = goregex.compile(find.name_regexp, field="find.name.regexp")
            try:
                return await self._by_path(find.path or "/", matcher)
            except ProviderAuthError:
                names = [name for name in await self._describe_names(path_filter) if matcher.search(name)]
                return await self._values_of(names)
        if find.tags:
            filters = [
                {"Key": f"tag:{key}", "Option": "Equals", "Values": [value]}
                for key, value in sorted(find.tags.items())
            ]
            return await self._values_of(await self._describe_names(filters + path_filter))
        raise SpecError("unexpected find operator: set name or tags")

    async def push_secret(self, source: PushSource, entry: PushEntry) -> None:
        """PushSecret: create or update (see :mod:`.ps_push`)."""
        await ps_push.push_secret(self, source, entry)

    async def delete_secret(self, entry: PushEntry) -> None:
        """PushSecret deletionPolicy Delete: only a managed parameter."""
        await ps_push.delete_secret(self, entry)

    async def secret_exists(self, entry: PushEntry) -> bool:
        """True when the parameter exists."""
        return await ps_push.secret_exists(self, entry)
