"""KubeClient: REST calls to the API server on raw JSON objects.

Objects travel as plain dicts (the wire form); callers parse them into :mod:`eso.api`
models at their boundary. Paths come from :class:`eso.api.resources.ResourceInfo`.
Every request passes a client-side token bucket (``--client-qps`` / ``--client-burst``)
and maps error statuses to the :mod:`eso.errors` tree. Error texts keep the API
server's Status message, which never contains Secret data (the server does not echo
it), trimmed to a bounded size.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import httpx2

from eso.api.resources import ResourceInfo
from eso.errors import (
    KubeUnavailable,
    NotFound,
    NotLeader,
)
from eso.kube.ratelimit import TokenBucket
from eso.kube.responses import error_from_response, retry_after

__all__ = ["KubeClient", "PatchType"]

Obj = dict[str, Any]


class PatchType:
    """Content types of the PATCH flavours."""

    MERGE = "application/merge-patch+json"
    JSON = "application/json-patch+json"
    STRATEGIC = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


class KubeClient:
    """Asynchronous Kubernetes REST client over one pooled HTTP connection set.

    ``write_guard``, when given, is asked before every mutating request; a False answer
    refuses the write with NotLeader (a replica that lost its Lease writes nothing).
    ``writes`` counts mutating requests by ``(method, plural)`` for tests and benchmarks.
    """

    def __init__(
        self,
        http: httpx2.AsyncClient,
        limiter: TokenBucket | None = None,
        write_guard: Callable[[], bool] | None = None,
    ) -> None:
        self._http = http
        self._limiter = limiter or TokenBucket(qps=0, burst=1)
        self._write_guard = write_guard
        self.writes: dict[tuple[str, str], int] = {}

    def with_write_guard(self, guard: Callable[[], bool] | None) -> KubeClient:
        """A client sharing this one's connections and limiter, with another write guard."""
        clone = KubeClient(self._http, self._limiter, guard)
        clone.writes = self.writes
        return clone

    async def close(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        what: str = "",
    ) -> Obj:
        """One REST call; returns the decoded JSON body (``{}`` when empty)."""
        await self._limiter.acquire()
        if method != "GET":
            # after the limiter: a write that waited for a token while the Lease was lost stays unsent
            if self._write_guard is not None and not self._write_guard():
                raise NotLeader(f"{what or method + ' ' + path}: refused, this replica is not the leader")
            plural = _plural_of(path)
            self.writes[(method, plural)] = self.writes.get((method, plural), 0) + 1
        content = None
        headers = {"Accept": "application/json"}
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = content_type
        try:
            resp = await self._http.request(method, path, params=params, content=content, headers=headers)
        except httpx2.HTTPError as exc:
            raise KubeUnavailable(
                f"{what or method + ' ' + path}: cannot reach the API server: {type(exc).__name__}: {exc}"
            ) from exc
        if resp.status_code >= 400:
            err = error_from_response(resp.status_code, resp.content, what or f"{method} {path}")
            if resp.status_code == 429:
                err.retry_after = retry_after(resp.headers.get("Retry-After"))
            raise err
        if not resp.content:
            return {}
        result: Obj = resp.json()
        return result

    # -- typed helpers -------------------------------------------------------------

    async def get(self, info: ResourceInfo, name: str, namespace: str | None = None) -> Obj:
        """GET one object."""
        return await self.request(
            "GET", info.path(namespace, name), what=f"get {info.kind} {_nn(namespace, name)}"
        )

    async def get_or_none(self, info: ResourceInfo, name: str, namespace: str | None = None) -> Obj | None:
        """GET one object, or None when it does not exist."""
        try:
            return await self.get(info, name, namespace)
        except NotFound:
            return None

    async def list(
        self,
        info: ResourceInfo,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
        resource_version: str | None = None,
    ) -> Obj:
        """One page of a LIST (``items``, ``metadata.continue``, ``metadata.resourceVersion``)."""
        params: dict[str, str] = {}
        if label_selector:
            params["labelSelector"] = label_selector
        if field_selector:
            params["fieldSelector"] = field_selector
        if limit:
            params["limit"] = str(limit)
        if continue_token:
            params["continue"] = continue_token
        if resource_version is not None:
            params["resourceVersion"] = resource_version
        return await self.request("GET", info.path(namespace), params=params, what=f"list {info.plural}")

    async def list_all(
        self,
        info: ResourceInfo,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> tuple[builtins.list[Obj], str]:
        """Every item of a LIST, paginated; returns (items, resourceVersion)."""
        items: builtins.list[Obj] = []
        rv = ""
        async for page, page_rv in self.list_pages(
            info, namespace, label_selector=label_selector, field_selector=field_selector, page_size=page_size
        ):
            items.extend(page)
            rv = page_rv
        return items, rv

    async def list_pages(
        self,
        info: ResourceInfo,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> AsyncIterator[tuple[builtins.list[Obj], str]]:
        """A paginated LIST, one page at a time: ``(items, resourceVersion)`` (the version
        is the list's once the last page is in; a caller keeping only what it needs of each
        page never holds the whole list decoded)."""
        token: str | None = None
        while True:
            page = await self.list(
                info,
                namespace,
                label_selector=label_selector,
                field_selector=field_selector,
                limit=page_size,
                continue_token=token,
            )
            meta = page.get("metadata") or {}
            token = meta.get("continue")
            yield page.get("items") or [], str(meta.get("resourceVersion", ""))
            if not token:
                return

    async def create(
        self, info: ResourceInfo, obj: Obj, namespace: str | None = None, *, field_manager: str | None = None
    ) -> Obj:
        """POST a new object."""
        params = {"fieldManager": field_manager} if field_manager else None
        name = (obj.get("metadata") or {}).get("name", "")
        return await self.request(
            "POST",
            info.path(namespace),
            params=params,
            body=obj,
            what=f"create {info.kind} {_nn(namespace, name)}",
        )

    async def replace(
        self,
        info: ResourceInfo,
        obj: Obj,
        *,
        field_manager: str | None = None,
        subresource: str | None = None,
    ) -> Obj:
        """PUT an object (optimistic concurrency through metadata.resourceVersion)."""
        meta = obj.get("metadata") or {}
        namespace, name = meta.get("namespace"), meta["name"]
        params = {"fieldManager": field_manager} if field_manager else None
        return await self.request(
            "PUT",
            info.path(namespace, name, subresource=subresource),
            params=params,
            body=obj,
            what=f"update {info.kind} {_nn(namespace, name)}",
        )

    async def patch(
        self,
        info: ResourceInfo,
        name: str,
        namespace: str | None,
        patch: Any,
        *,
        patch_type: str = PatchType.MERGE,
        field_manager: str | None = None,
        force: bool = False,
        subresource: str | None = None,
    ) -> Obj:
        """PATCH an object (merge, JSON, strategic or server-side apply)."""
        params: dict[str, str] = {}
        if field_manager:
            params["fieldManager"] = field_manager
        if force:
            params["force"] = "true"
        return await self.request(
            "PATCH",
            info.path(namespace, name, subresource=subresource),
            params=params,
            body=patch,
            content_type=patch_type,
            what=f"patch {info.kind} {_nn(namespace, name)}{'/' + subresource if subresource else ''}",
        )

    async def apply(
        self,
        info: ResourceInfo,
        obj: Obj,
        *,
        field_manager: str,
        force: bool = True,
        subresource: str | None = None,
    ) -> Obj:
        """Server-side apply ``obj`` (JSON is valid YAML) as ``field_manager``."""
        meta = obj["metadata"]
        return await self.patch(
            info,
            meta["name"],
            meta.get("namespace"),
            obj,
            patch_type=PatchType.APPLY,
            field_manager=field_manager,
            force=force,
            subresource=subresource,
        )

    async def delete(
        self,
        info: ResourceInfo,
        name: str,
        namespace: str | None = None,
        *,
        uid: str | None = None,
        resource_version: str | None = None,
        propagation: str | None = None,
    ) -> Obj:
        """DELETE an object, optionally only if its uid/resourceVersion still match."""
        body: Obj = {"kind": "DeleteOptions", "apiVersion": "v1"}
        preconditions: dict[str, str] = {}
        if uid:
            preconditions["uid"] = uid
        if resource_version:
            preconditions["resourceVersion"] = resource_version
        if preconditions:
            body["preconditions"] = preconditions
        if propagation:
            body["propagationPolicy"] = propagation
        return await self.request(
            "DELETE", info.path(namespace, name), body=body, what=f"delete {info.kind} {_nn(namespace, name)}"
        )

    async def create_subresource(
        self, info: ResourceInfo, name: str, namespace: str | None, subresource: str, body: Obj
    ) -> Obj:
        """POST to a subresource (``serviceaccounts/token``)."""
        return await self.request(
            "POST",
            info.path(namespace, name, subresource=subresource),
            body=body,
            what=f"create {info.kind} {_nn(namespace, name)}/{subresource}",
        )

    async def watch(
        self,
        info: ResourceInfo,
        namespace: str | None = None,
        *,
        resource_version: str = "",
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[tuple[str, Obj]]:
        """Stream watch events ``(type, object)`` with bookmarks, until the server closes.

        A watch that fails before streaming raises the mapped error (``Gone`` on 410);
        an ``ERROR`` event carrying a 410 Status is raised as ``Gone`` too.
        """
        params = {
            "watch": "true",
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(timeout_seconds),
        }
        if resource_version:
            params["resourceVersion"] = resource_version
        if label_selector:
            params["labelSelector"] = label_selector
        if field_selector:
            params["fieldSelector"] = field_selector
        await self._limiter.acquire()
        what = f"watch {info.plural}"
        timeout = httpx2.Timeout(10.0, read=timeout_seconds + 30.0)
        try:
            async with self._http.stream("GET", info.path(namespace), params=params, timeout=timeout) as resp:
                if resp.status_code >= 400:
                    raise error_from_response(resp.status_code, await resp.aread(), what)
                async for line in resp.aiter_lines():
                    if not line:
                        continue
                    event = json.loads(line)
                    etype, obj = event.get("type", ""), event.get("object") or {}
                    if etype == "ERROR":
                        code = int(obj.get("code", 0))
                        raise error_from_response(code or 500, json.dumps(obj).encode(), what)
                    yield etype, obj
        except httpx2.HTTPError as exc:
            raise KubeUnavailable(f"{what}: connection lost: {type(exc).__name__}") from exc


def _plural_of(path: str) -> str:
    """``secrets`` for ``/api/v1/namespaces/ns/secrets/x``; ``externalsecrets/status`` for status."""
    parts = [p for p in path.split("/") if p]
    if "namespaces" in parts:
        i = parts.index("namespaces")
        rest = parts[i + 2 :] if len(parts) > i + 2 else parts[i : i + 1]
    else:
        rest = parts[2:] if parts and parts[0] == "api" else parts[3:]
    if not rest:
        return ""
    return rest[0] + ("/" + rest[2] if len(rest) > 2 else "")


def _nn(namespace: str | None, name: str) -> str:
    return f"{namespace}/{name}" if namespace else name
