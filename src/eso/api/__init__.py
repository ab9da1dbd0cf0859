"""eso's typed API: pydantic models of every ESO kind, their CRDs, hashes and admission rules.

No I/O happens here. The entry points other layers use most:

* :func:`parse` — a manifest (dict) → the model of its kind, or a
  :class:`~eso.errors.SpecError` naming the field and index (never the value);
* :func:`parse_model` — the same for a given model class, with a path prefix (for
  provider plugins parsing ``spec.provider.<name>``);
* the kind modules :mod:`~eso.api.externalsecret`, :mod:`~eso.api.secretstore`,
  :mod:`~eso.api.pushsecret`, :mod:`~eso.api.clusterexternalsecret`,
  :mod:`~eso.api.clusterpushsecret`, :mod:`~eso.api.generators`;
* :mod:`~eso.api.resources` (REST paths), :mod:`~eso.api.constants`,
  :mod:`~eso.api.hashing` [compat], :mod:`~eso.api.duration`, :mod:`~eso.api.goregex`,
  :mod:`~eso.api.validation`, :mod:`~eso.api.crds`.
"""

from __future__ import annotations

from eso.api.parsing import parse, parse_model

__all__ = ["parse", "parse_model"]
