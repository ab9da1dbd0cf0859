"""The ``Generate`` callable the ExternalSecret reconciler runs for generator entries.

``await generators(es, i, entry)`` resolves ``es.spec.dataFrom[i].sourceRef.generatorRef``
from the ExternalSecret's namespace and returns the generated keys (the reconciler
then applies ``rewrite`` and validates the keys). It is called only when the
reconciler has decided to refresh, so *when* a value is regenerated is entirely the
ExternalSecret's refresh logic: a generated value lives in the Secret, nothing about
it is held in memory, and an operator restart or upgrade regenerates nothing (with
``refreshPolicy: CreatedOnce`` or ``refreshInterval: 0`` a value is generated once).

A reconcile never acts on a cache older than its own writes (the reconciler records
each write in the informer cache), so one refresh generates one value.

A generator whose ``spec.controller`` names another controller class is not run: the
entry fails with a message saying which class owns it.
"""

from __future__ import annotations

import structlog

from eso.api.externalsecret import ExternalSecret, ExternalSecretDataFromRemoteRef, GeneratorRef
from eso.controllers.generators.registry import GenerateRequest, GeneratorRegistry, builtin_registry
from eso.controllers.generators.resolve import ResolvedGenerator, resolve
from eso.errors import SpecError
from eso.kube.client import KubeClient

__all__ = ["Generators", "entry_field"]

_log = structlog.get_logger("eso.controllers.generators")


def entry_field(index: int) -> str:
    """``spec.dataFrom[<index>].sourceRef.generatorRef``."""
    return f"spec.dataFrom[{index}].sourceRef.generatorRef"


class Generators:
    """Resolves and runs generators; an instance is the reconciler's ``Generate`` callable."""

    def __init__(
        self,
        client: KubeClient,
        *,
        controller_class: str,
        registry: GeneratorRegistry | None = None,
    ) -> None:
        self._client = client
        self._class = controller_class
        self.registry = registry or builtin_registry()

    async def __call__(
        self, es: ExternalSecret, index: int, entry: ExternalSecretDataFromRemoteRef
    ) -> dict[str, bytes]:
        """Generate the keys of ``es.spec.dataFrom[index]``."""
        ref = entry.generator_ref()
        field = entry_field(index)
        if ref is None:
            raise SpecError("is not a generator entry", field=field)
        resolved = await self.resolve(ref, es.namespace, field=field)
        return await self._run(resolved, es.namespace, field)

    async def resolve(self, ref: GeneratorRef, namespace: str, *, field: str) -> ResolvedGenerator:
        """The generator ``ref`` names, seen from ``namespace``."""
        return await resolve(self._client, self.registry, ref, namespace, field=field)

    def is_unmanaged(self, resolved: ResolvedGenerator) -> bool:
        """True when the generator belongs to another controller class."""
        return bool(resolved.controller) and resolved.controller != self._class

    async def uses_unmanaged_generator(self, es: ExternalSecret) -> bool:
        """True when a generator of ``es`` belongs to another controller class (ESO skips such an ES).

        Generators that cannot be resolved are ignored here; generating reports them.
        """
        for index, ref in es.generator_refs():
            try:
                resolved = await self.resolve(ref, es.namespace, field=entry_field(index))
            except SpecError:
                continue
            if self.is_unmanaged(resolved):
                return True
        return False

    async def generate(self, ref: GeneratorRef, namespace: str, *, field: str) -> dict[str, bytes]:
        """Resolve ``ref`` and generate; errors name ``field`` (and the generator's own field)."""
        return await self._run(await self.resolve(ref, namespace, field=field), namespace, field)

    async def _run(self, resolved: ResolvedGenerator, namespace: str, field: str) -> dict[str, bytes]:
        if self.is_unmanaged(resolved):
            raise SpecError(
                f'{resolved.display} belongs to controller class "{resolved.controller}"; '
                f'this operator runs class "{self._class}" and does not run it',
                field=field,
            )
        try:
            data = await resolved.impl.generate(resolved.spec, GenerateRequest(namespace=namespace))
        except SpecError as exc:
            raise SpecError(f"{resolved.display} {exc}", field=field) from None
        _log.debug("generated", generator=resolved.display, namespace=namespace, keys=len(data))
        return data
