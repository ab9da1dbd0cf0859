"""Generators (``generators.external-secrets.io``): values made by eso instead of read from a store.

* :mod:`~eso.controllers.generators.password` — the Password recipe and encodings;
* :mod:`~eso.controllers.generators.registry` — the kinds eso runs (Password, UUID, Fake);
* :mod:`~eso.controllers.generators.resolve` — ``generatorRef`` → object, ClusterGenerator
  → virtual namespaced generator, controller class;
* :mod:`~eso.controllers.generators.runner` — :class:`Generators`, the ``Generate``
  callable of the ExternalSecret reconciler.

No GeneratorState is written: the built-in generators keep no state, so there is
nothing to clean up later (ESO records state only for generators that return some).
"""

from eso.controllers.generators.registry import (
    GenerateRequest,
    GeneratorImpl,
    GeneratorRegistry,
    builtin_registry,
)
from eso.controllers.generators.resolve import ResolvedGenerator, virtualize
from eso.controllers.generators.runner import Generators, entry_field

__all__ = [
    "GenerateRequest",
    "GeneratorImpl",
    "GeneratorRegistry",
    "Generators",
    "ResolvedGenerator",
    "builtin_registry",
    "entry_field",
    "virtualize",
]
