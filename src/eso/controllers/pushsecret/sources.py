"""The source of a PushSecret: its Secret(s), read from the PushSecret's own namespace only.

* ``selector.secret.name``: one Secret. It is taken from a cache eso already holds when
  it is there (Secrets made by ExternalSecrets, and Secrets labelled
  :data:`SOURCE_LABEL`), otherwise read with one GET. No other Secret is ever held.
* ``selector.secret.selector``: every Secret of the namespace matching the label
  selector (one LIST, filtered by the API server).
* ``selector.generatorRef``: the generator hook, when the operator provides one.

Every lookup is made in ``ps.namespace``: a Secret name cannot carry a namespace
(``selector.secret.name`` is a DNS subdomain), so another namespace's Secret is
unreachable by construction.

:func:`fingerprint` identifies the source version from the Secrets' names and
resourceVersions (never from their data), so eso can tell a changed source without
pushing, and without deriving anything from secret values.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from eso.api.pushsecret import PushSecret
from eso.api.resources import SECRET
from eso.controllers.externalsecret.render import NamespaceTemplateSources
from eso.errors import SpecError
from eso.kube import selectors
from eso.kube.client import KubeClient
from eso.kube.informer import Informer
from eso.providers.base import PushSource
from eso.template.apply import RenderedSecret, apply_push_template

__all__ = [
    "GENERATED_SECRET_NAME",
    "SOURCE_LABEL",
    "Generate",
    "SourceMissing",
    "Sources",
    "fingerprint",
    "load_sources",
    "push_source_of",
    "templated",
]

Obj = dict[str, Any]
SOURCE_LABEL = "pushsecret.external-secrets.io/source"
"""Label a source Secret with ``"true"`` to have its changes pushed within seconds."""
GENERATED_SECRET_NAME = "___generated-secret"
"""The name ESO gives the synthetic Secret holding a generator's output."""

Generate = Callable[[PushSecret], Awaitable[dict[str, bytes]]]
"""Runs ``spec.selector.generatorRef`` for a PushSecret (provided by the generators controller)."""


class SourceMissing(SpecError):
    """``selector.secret.name`` names a Secret that does not exist (in the PushSecret's namespace)."""


@dataclass(frozen=True)
class Sources:
    """The source Secrets (raw objects, sorted by name) and their fingerprint."""

    secrets: list[Obj]
    fingerprint: str
    generated: bool = False


def fingerprint(secrets: Iterable[Obj]) -> str:
    """A short digest of the Secrets' names and resourceVersions ("" for none)."""
    parts = sorted(
        f"{(s.get('metadata') or {}).get('name', '')}:{(s.get('metadata') or {}).get('resourceVersion', '')}"
        for s in secrets
    )
    if not parts:
        return ""
    return hashlib.sha3_224("\n".join(parts).encode()).hexdigest()[:16]


async def _named(client: KubeClient, caches: Iterable[Informer], namespace: str, name: str) -> Obj | None:
    for cache in caches:
        cached = cache.get(namespace, name)
        if cached is not None:
            return cached
    return await client.get_or_none(SECRET, name, namespace)


async def load_sources(
    ps: PushSecret, client: KubeClient, caches: Iterable[Informer], generate: Generate | None
) -> Sources:
    """The source Secret(s) of ``ps``; raises SourceMissing or SpecError."""
    selector = ps.spec.selector
    if selector is None:
        raise SpecError("is missing", field="spec.selector")
    if selector.generator_ref is not None:
        if generate is None:
            raise SpecError(
                "generators are not supported for PushSecret yet: push a Secret with "
                "spec.selector.secret instead (an ExternalSecret with a generator can make that Secret)",
                field="spec.selector.generatorRef",
            )
        data = await generate(ps)
        synthetic: Obj = {
            "metadata": {"name": GENERATED_SECRET_NAME, "namespace": ps.namespace},
            "type": "Opaque",
            "data": {k: base64.b64encode(v).decode() for k, v in data.items()},
        }
        return Sources([synthetic], "", generated=True)
    secret = selector.secret
    if secret is not None and secret.name:
        found = await _named(client, caches, ps.namespace, secret.name)
        if found is None:
            raise SourceMissing(
                f'Secret "{secret.name}" not found in namespace {ps.namespace} (the PushSecret\'s namespace)',
                field="spec.selector.secret.name",
            )
        return Sources([found], fingerprint([found]))
    if secret is not None and secret.selector is not None:
        query = selectors.to_query(secret.selector)
        items, _ = await client.list_all(SECRET, ps.namespace, label_selector=query or None)
        items = sorted(items, key=lambda s: str((s.get("metadata") or {}).get("name", "")))
        return Sources(items, fingerprint(items))
    raise SpecError("set name or selector", field="spec.selector.secret")


def push_source_of(secret: Obj) -> PushSource:
    """The provider-facing view of a raw Secret (data decoded)."""
    meta = secret.get("metadata") or {}
    return PushSource(
        name=str(meta.get("name", "")),
        namespace=str(meta.get("namespace", "")),
        data={k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()},
        type=str(secret.get("type") or "Opaque"),
        labels=dict(meta.get("labels") or {}),
        annotations=dict(meta.get("annotations") or {}),
    )


async def templated(ps: PushSecret, source: PushSource, client: KubeClient, engine: Any) -> PushSource:
    """``spec.template`` applied in memory to a copy of ``source`` (existing keys are kept).

    templateFrom ConfigMaps and Secrets are read from the PushSecret's namespace only.
    """
    template = ps.spec.template
    if template is None:
        return source
    rendered = await apply_push_template(
        template,
        RenderedSecret(
            type=source.type,
            data=dict(source.data),
            labels=dict(source.labels),
            annotations=dict(source.annotations),
        ),
        sources=NamespaceTemplateSources(client, ps.namespace),
        engine=engine,
    )
    return PushSource(
        name=source.name,
        namespace=source.namespace,
        data=dict(rendered.data),
        type=rendered.type or source.type,
        labels=dict(rendered.labels),
        annotations=dict(rendered.annotations),
    )
