"""One module per kind registers its informers, queue and controller on a :class:`Wiring`.

:data:`BUILDERS` lists them in start order; adding a kind means adding its module and
one line here. Builders share informers through :meth:`Wiring.informer` (one watch per
resource and selector, however many controllers read it).
"""

from __future__ import annotations

from collections.abc import Callable

from eso.operator.wiring import (
    clusterexternalsecret,
    clusterpushsecret,
    externalsecret,
    generators,
    pushsecret,
    stores,
)
from eso.operator.wiring.base import Wiring

__all__ = ["BUILDERS", "Wiring"]

BUILDERS: list[Callable[[Wiring], None]] = [
    stores.build,
    generators.build,
    externalsecret.build,
    clusterexternalsecret.build,
    pushsecret.build,
    clusterpushsecret.build,
]
