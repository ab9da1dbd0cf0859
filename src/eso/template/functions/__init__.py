"""ESO's engine-v2 function map: sprig (minus what reads the environment or network) + ESO's own.

One module per family: :mod:`.sprig` (the sprig selection and the refused names),
:mod:`.encoding` (byte-exact ``b64enc``/``b64dec``/hashes/``hexdec``/``len``), :mod:`.passwords`
(ESO's three-argument ``htpasswd``), :mod:`.pem`,
:mod:`.pkcs12`, :mod:`.jwk`, :mod:`.yaml` and :mod:`.crypto`; :mod:`.adapters` makes sprig
treat the ``map[string]string`` context, ``nil`` and times as Go does. The Go builtins (``printf``,
``index`` …) come from gotpl itself; :mod:`eso.template.engine` adds the size guards.
"""

from __future__ import annotations

from collections.abc import Callable

from eso.template.functions.adapters import adapt
from eso.template.functions.crypto import crypto_functions
from eso.template.functions.encoding import encoding_functions
from eso.template.functions.jwk import jwk_functions
from eso.template.functions.passwords import password_functions
from eso.template.functions.pem import pem_functions
from eso.template.functions.pkcs12 import pkcs12_functions
from eso.template.functions.sprig import REFUSED_FUNCTIONS, sprig_functions
from eso.template.functions.yaml import yaml_functions

__all__ = ["ESO_FUNCTION_NAMES", "REFUSED_FUNCTIONS", "function_map"]

ESO_FUNCTION_NAMES = frozenset(
    {
        *pkcs12_functions(),
        *pem_functions(),
        *jwk_functions(),
        *yaml_functions(),
        *crypto_functions(),
    }
)
"""The functions ESO adds to sprig (``runtime/template/v2/template.go`` ``tplFuncs``)."""


def function_map() -> dict[str, Callable[..., object]]:
    """A fresh, complete function map (no size guards yet)."""
    functions: dict[str, Callable[..., object]] = dict(sprig_functions())
    functions.update(encoding_functions())
    functions.update(password_functions(functions["bcrypt"]))  # type: ignore[arg-type]
    for family in (pkcs12_functions, pem_functions, jwk_functions, yaml_functions, crypto_functions):
        functions.update(family())
    return adapt(functions)
