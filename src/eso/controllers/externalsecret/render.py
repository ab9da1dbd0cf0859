"""Build the desired target Secret from provider data (ESO's ApplyTemplate, eso-api §2.5).

* Owner / Orphan: the Secret holds exactly what this ExternalSecret renders.
* Merge / CreateOrMerge: the keys other writers put there stay; the keys this
  ExternalSecret wrote before (its field manager owns them) are replaced.
* Without a template every label and annotation of the ExternalSecret is copied (as
  ESO does, minus kubectl's last-applied annotation); with one, only
  ``template.metadata`` and rendered templateFrom/metadata targets.

Template ConfigMaps and Secrets are read from the ExternalSecret's own namespace only.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from eso.api.externalsecret import ExternalSecret
from eso.api.hashing import field_manager_for
from eso.api.policies import CreationPolicy
from eso.api.resources import CONFIG_MAP, SECRET
from eso.controllers.externalsecret.target import (
    DesiredSecret,
    decode_data,
    finish,
    metadata_without_template,
    owned_fields,
)
from eso.errors import NotFound, SpecError
from eso.kube.client import KubeClient

__all__ = ["NamespaceTemplateSources", "render_desired"]

_MERGING = (CreationPolicy.MERGE, CreationPolicy.CREATE_OR_MERGE)


class NamespaceTemplateSources:
    """templateFrom sources, read from one namespace (the ExternalSecret's)."""

    def __init__(self, client: KubeClient, namespace: str) -> None:
        self._client = client
        self._namespace = namespace

    async def get_config_map(self, name: str) -> Mapping[str, str]:
        """``.data`` of a ConfigMap in the namespace."""
        try:
            obj = await self._client.get(CONFIG_MAP, name, self._namespace)
        except NotFound:
            raise SpecError(f'ConfigMap "{name}" not found in namespace {self._namespace}') from None
        return dict(obj.get("data") or {})

    async def get_secret(self, name: str) -> Mapping[str, bytes]:
        """Decoded ``.data`` of a Secret in the namespace."""
        try:
            obj = await self._client.get(SECRET, name, self._namespace)
        except NotFound:
            raise SpecError(f'Secret "{name}" not found in namespace {self._namespace}') from None
        return {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}


def _base_data(es: ExternalSecret, existing: Mapping[str, Any] | None) -> dict[str, bytes]:
    if es.spec.target.creation_policy not in _MERGING:
        return {}
    data = decode_data(existing)
    for key in owned_fields(existing, field_manager_for(es.name))["data"]:
        data.pop(key, None)
    return data


async def render_desired(
    es: ExternalSecret,
    provider_data: Mapping[str, bytes],
    existing: Mapping[str, Any] | None,
    *,
    client: KubeClient,
    engine: Any,
) -> DesiredSecret:
    """The Secret this ExternalSecret wants; raises TemplateError/SpecError naming the template key."""
    base = _base_data(es, existing)
    template = es.spec.target.template
    if template is None:
        labels, annotations = metadata_without_template(es)
        desired = DesiredSecret(
            name=es.target_name(),
            namespace=es.namespace,
            type=None,
            data=dict(provider_data),
            labels=labels,
            annotations=annotations,
            final_data={**base, **provider_data},
        )
        return finish(desired, es)
    from eso.template.apply import RenderedSecret, apply_template

    rendered = await apply_template(
        template,
        provider_data,
        RenderedSecret(type=None, data={}, labels={}, annotations={}),
        sources=NamespaceTemplateSources(client, es.namespace),
        engine=engine,
    )
    desired = DesiredSecret(
        name=es.target_name(),
        namespace=es.namespace,
        type=template.type or None,
        data=dict(rendered.data),
        labels=dict(rendered.labels),
        annotations=dict(rendered.annotations),
        final_data={**base, **rendered.data},
    )
    return finish(desired, es)
