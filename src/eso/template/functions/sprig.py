"""The sprig v3 text functions ESO offers, taken from gotpl, minus the refused ones.

ESO (``runtime/template/v2/sprig``) vendors Masterminds sprig v3 without ``env``,
``expandenv`` and ``getHostByName``: a template is written by whoever can create an
ExternalSecret, and those functions would let them read the controller's environment
(cloud credentials, tokens) or probe the network from inside the cluster. No other sprig
function reads files, the environment, DNS or the network (``osBase``/``osDir``… only
manipulate path strings). eso refuses the same names; a template that calls one fails at
parse time with ``function "env" not defined``, exactly as in ESO. ``getSecretKey`` (an
ESO function that reads *another* Secret) is not offered either: templates see only the
data of their own ExternalSecret.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from gotpl.funcs.sprig import text_func_map

__all__ = ["REFUSED_FUNCTIONS", "sprig_functions"]

REFUSED_FUNCTIONS = frozenset({"env", "expandenv", "getHostByName", "getSecretKey"})
"""Functions that read the environment, DNS or other Secrets: never in the map."""


def sprig_functions() -> Mapping[str, Callable[..., object]]:
    """A fresh copy of sprig's text function map without :data:`REFUSED_FUNCTIONS`."""
    return {name: fn for name, fn in text_func_map().items() if name not in REFUSED_FUNCTIONS}
