"""ESO's ``target.template`` (engine v2): Go text/template + sprig through gotpl, bounded.

* :class:`TemplateEngine` renders one template over a ``map[string]string`` context;
* :func:`apply_template` / :func:`apply_push_template` are ESO's ``ApplyTemplate`` for a
  Secret, as a pure function over data; :func:`render_key_transform` is
  ``dataFrom[].rewrite[].transform``;
* :func:`go_string` / :func:`go_bytes` map provider bytes to Go strings and back.
"""

from __future__ import annotations

from eso.template.engine import DelimiterSettings, TemplateEngine, go_context
from eso.template.gostr import go_bytes, go_string
from eso.template.limits import TemplateLimits

__all__ = [
    "DelimiterSettings",
    "TemplateEngine",
    "TemplateLimits",
    "go_bytes",
    "go_context",
    "go_string",
]
