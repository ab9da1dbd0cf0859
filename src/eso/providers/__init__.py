"""Secret-store backends behind one contract (:mod:`eso.providers.base`).

Each backend is a sub-package named after its ``spec.provider`` key (``aws``, ``fake``)
and the only place its SDK is imported. Shared helpers: ``refs`` (credential namespace
rules), ``registry``, ``clientcache``, ``_gjson`` / ``_jsonmap`` / ``_convert`` (ESO's
property lookup, JSON explosion, key conversion and decoding).
"""
