"""From a ``generatorRef`` to the generator object to run (ESO's generator resolver).

* The reference's group must be ``generators.external-secrets.io``.
* A namespaced kind is read from the ExternalSecret's namespace.
* A ClusterGenerator is read cluster-wide and turned into a *virtual* namespaced
  generator: its ``spec.kind`` becomes the kind and ``spec.generator.<kind>Spec`` the
  spec, in the ExternalSecret's namespace (:func:`virtualize`). The two must agree.
* A kind eso does not run is refused at ``…generatorRef.kind``, listing what it runs.

Objects are read with a direct GET each time a value is generated (only when a
refresh is due), so no generator is cached and no watch or list permission is needed.
Errors about the reference name the ExternalSecret's field; errors inside the
generator object name the object and its own field (``Password "db" spec.digits``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eso.api._base import Model
from eso.api.externalsecret import GeneratorRef
from eso.api.generators import GENERATOR_SPEC_KEYS, GENERATORS_API_VERSION, GENERATORS_GROUP, GeneratorKind
from eso.api.parsing import parse_model
from eso.api.resources import CLUSTER_GENERATOR
from eso.controllers.generators.registry import GeneratorImpl, GeneratorRegistry
from eso.errors import NotFound, SpecError
from eso.kube.client import KubeClient

__all__ = ["ResolvedGenerator", "check_group", "controller_of", "resolve", "virtualize"]

Obj = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ResolvedGenerator:
    """A generator ready to run: its implementation, parsed spec and where it came from."""

    impl: GeneratorImpl
    spec: Model
    manifest: Obj
    """The namespaced generator object (virtual for a ClusterGenerator)."""
    display: str
    """``Password "db"`` or ``ClusterGenerator "db" (Password)``, for messages."""

    @property
    def controller(self) -> str:
        """``spec.controller`` of the generator ("" when unset: every controller's)."""
        return controller_of(self.manifest)


def controller_of(manifest: Obj) -> str:
    """``spec.controller`` of a generator object, "" when unset."""
    spec = manifest.get("spec")
    value = spec.get("controller") if isinstance(spec, dict) else None
    return value if isinstance(value, str) else ""


def check_group(ref: GeneratorRef, field: str) -> None:
    """:class:`SpecError` at ``<field>.apiVersion`` unless the group is the generators group."""
    group = ref.api_version.rpartition("/")[0]
    if group != GENERATORS_GROUP:
        raise SpecError(
            f'apiVersion must be in group {GENERATORS_GROUP} (got "{ref.api_version}")',
            field=f"{field}.apiVersion",
        )


def virtualize(cluster_generator: Obj, namespace: str) -> Obj:
    """The namespaced generator a ClusterGenerator stands for, in ``namespace``.

    ``spec.kind`` names the kind and ``spec.generator`` must hold exactly its
    ``<kind>Spec`` key; anything else is a :class:`SpecError` at the ClusterGenerator's field.
    """
    meta = cluster_generator.get("metadata") or {}
    spec = cluster_generator.get("spec") or {}
    raw_kind = spec.get("kind")
    try:
        kind = GeneratorKind(str(raw_kind))
    except ValueError:
        raise SpecError(f'unknown generator kind "{raw_kind}"', field="spec.kind") from None
    if kind is GeneratorKind.CLUSTER_GENERATOR:
        raise SpecError("a ClusterGenerator cannot wrap a ClusterGenerator", field="spec.kind")
    expected = GENERATOR_SPEC_KEYS[kind]
    generator = spec.get("generator") or {}
    keys = sorted(k for k, v in generator.items() if v is not None) if isinstance(generator, dict) else []
    if keys != [expected]:
        found = ", ".join(keys) if keys else "nothing"
        raise SpecError(
            f"spec.kind is {kind.value}, so set exactly {expected} (found {found})", field="spec.generator"
        )
    inner = generator[expected]
    if not isinstance(inner, dict):
        raise SpecError("must be an object", field=f"spec.generator.{expected}")
    return {
        "apiVersion": GENERATORS_API_VERSION,
        "kind": kind.value,
        "metadata": {
            "name": str(meta.get("name", "")),
            "namespace": namespace,
            "uid": meta.get("uid", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
        },
        "spec": inner,
    }


def _impl_for(registry: GeneratorRegistry, kind: GeneratorKind, field: str, what: str) -> GeneratorImpl:
    impl = registry.get(kind)
    if impl is None:
        supported = ", ".join(registry.kinds())
        raise SpecError(
            f"{what}generator kind {kind.value} is not supported by eso (supported: {supported})", field=field
        )
    return impl


async def _read(
    client: KubeClient, ref: GeneratorRef, namespace: str, registry: GeneratorRegistry, field: str
) -> tuple[GeneratorImpl, Obj, str]:
    if ref.kind is GeneratorKind.CLUSTER_GENERATOR:
        try:
            raw = await client.get(CLUSTER_GENERATOR, ref.name)
        except NotFound:
            raise SpecError(f'ClusterGenerator "{ref.name}" not found', field=f"{field}.name") from None
        display = f'ClusterGenerator "{ref.name}"'
        try:
            manifest = virtualize(raw, namespace)
        except SpecError as exc:
            raise SpecError(f"{display} {exc}", field=field) from None
        kind = GeneratorKind(manifest["kind"])
        impl = _impl_for(registry, kind, field, f"{display}: ")
        return impl, manifest, f"{display} ({kind.value})"
    impl = _impl_for(registry, ref.kind, f"{field}.kind", "")
    try:
        manifest = await client.get(impl.resource, ref.name, namespace)
    except NotFound:
        raise SpecError(
            f'{ref.kind.value} "{ref.name}" not found in namespace "{namespace}"', field=f"{field}.name"
        ) from None
    return impl, manifest, f'{ref.kind.value} "{ref.name}"'


async def resolve(
    client: KubeClient, registry: GeneratorRegistry, ref: GeneratorRef, namespace: str, *, field: str
) -> ResolvedGenerator:
    """The generator ``ref`` names from ``namespace``; :class:`SpecError` naming the field on failure."""
    check_group(ref, field)
    impl, manifest, display = await _read(client, ref, namespace, registry, field)
    try:
        spec = parse_model(impl.spec_model, manifest.get("spec") or {}, prefix="spec")
    except SpecError as exc:
        raise SpecError(f"{display} {exc}", field=field) from None
    return ResolvedGenerator(impl=impl, spec=spec, manifest=manifest, display=display)
