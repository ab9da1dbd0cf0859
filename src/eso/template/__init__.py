"""ESO's ``target.template`` (engine v2): Go text/template + sprig through gotpl, bounded.

* :class:`TemplateEngine` renders one template over a ``map[string]string`` context;
* :func:`apply_template` / :func:`apply_push_template` are ESO's ``ApplyTemplate`` for a
  Secret, as a pure function over data; :func:`render_key_transform` is
  ``dataFrom[].rewrite[].transform``;
* :func:`go_string` / :func:`go_bytes` map provider bytes to Go strings and back.

See ``docs/templates.md``.
"""

from __future__ import annotations

from eso.template.apply import apply_push_template, apply_template, render_key_transform
from eso.template.engine import DelimiterSettings, TemplateEngine, go_context
from eso.template.gostr import go_bytes, go_string
from eso.template.limits import TemplateLimits
from eso.template.secret import RenderedSecret, TemplateSources

__all__ = [
    "DelimiterSettings",
    "RenderedSecret",
    "TemplateEngine",
    "TemplateLimits",
    "TemplateSources",
    "apply_push_template",
    "apply_template",
    "go_bytes",
    "go_context",
    "go_string",
    "render_key_transform",
]
