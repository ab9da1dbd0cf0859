"""Generator wiring: the ``Generate`` callable the ExternalSecret controller runs.

It only puts :class:`~eso.controllers.generators.Generators` in ``w.shared["generators"]``,
so it must be listed before the ExternalSecret builder. No informer, queue or
controller: generators are read with a GET when a value is generated, and no
GeneratorState is kept (the built-in generators have no state to clean up).
"""

from __future__ import annotations

from eso.controllers.generators import Generators
from eso.operator.wiring.base import Wiring

__all__ = ["build"]


def build(w: Wiring) -> None:
    """Share the generator runner with the controllers built after this one."""
    w.shared["generators"] = Generators(w.client, controller_class=w.settings.controller.controller_class)
