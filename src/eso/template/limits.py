"""Resource limits for one template render (eso's answer to templates that never end).

Go's text/template has no limits: in ESO a template such as ``{{ range until 100000000 }}``
or a string doubled in a loop takes the controller down. eso bounds every render:

* the source size, the rendered output size and the number of ``range`` iterations;
* the template call depth and the number of function calls;
* a wall-clock budget, checked on every iteration, function call, output write and
  template call (see :mod:`eso.template._gotpl`);
* the size of every value a function returns (string length, number of elements),
  and amplifying arguments are checked *before* the call (``repeat``, ``until``,
  ``printf`` widths, …) so that nothing large is ever allocated
  (see :mod:`eso.template.guard`).

Exceeding any of them is a :class:`eso.errors.TemplateError`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIB", "TemplateLimits"]

MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class TemplateLimits:
    """Per-render bounds; the defaults fit any Secret (whose size limit is 1 MiB)."""

    max_source_chars: int = MIB
    """Longest template source accepted."""
    max_output_bytes: int = MIB
    """Largest rendered output of one template (the Secret size limit)."""
    max_value_chars: int = 4 * MIB
    """Largest string a function may return, and the total characters in a returned value."""
    max_items: int = 100_000
    """Most elements (nested ones included) in a list or map a function may return."""
    max_iterations: int = 100_000
    """Most ``range`` iterations in one render, nested ranges included."""
    max_function_calls: int = 1_000_000
    """Most function calls in one render."""
    max_template_depth: int = 100
    """Deepest chain of ``template``/``block`` calls."""
    timeout_seconds: float = 2.0
    """Wall-clock budget of one render."""
    cache_size: int = 1024
    """Compiled templates kept (least recently used are dropped first)."""

    def __post_init__(self) -> None:
        for name in (
            "max_source_chars",
            "max_output_bytes",
            "max_value_chars",
            "max_items",
            "max_iterations",
            "max_function_calls",
            "max_template_depth",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"TemplateLimits.{name} must be positive")
        if self.timeout_seconds <= 0:
            raise ValueError("TemplateLimits.timeout_seconds must be positive")
        if self.cache_size < 0:
            raise ValueError("TemplateLimits.cache_size must not be negative")
