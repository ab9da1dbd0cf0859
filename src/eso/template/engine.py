"""The template engine: Go ``text/template`` + sprig as ESO's engine v2 runs it, via gotpl.

One :class:`TemplateEngine` per operator (no globals): it holds the function map, the
delimiters (``--template-left-delimiter`` / ``--template-right-delimiter``), the
:class:`~eso.template.limits.TemplateLimits` and a cache of compiled templates.

Semantics are ESO's (``runtime/template/v2/template.go``): ``missingkey=error``, and the
context ``.`` is a ``map[string]string`` (gotpl's ``TypedMap``), so ``index . "missing"``
gives ``""`` while ``.missing`` is an error, and keys with dashes are reached with
``index . "my-key"``. Values are Go strings, i.e. bytes: see :mod:`eso.template.gostr`
for the lossless mapping (:meth:`TemplateEngine.render_bytes` applies it both ways).

Every failure is an :class:`eso.errors.TemplateError` whose message names the template
(the key) and the position, and has every context value scrubbed out; the original
exception is not chained, so no traceback carries a value either.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Literal, Protocol

import gotpl

from eso.errors import TemplateError
from eso.template._gotpl import GuardedTemplate, builtin_functions, prepare_functions
from eso.template.functions import function_map
from eso.template.functions.printf import byte_exact_printf
from eso.template.gostr import (
    go_bytes,
    go_string,
    has_hidden_bytes,
    has_raw_bytes,
    hide_raw_bytes,
    reveal_raw_bytes,
)
from eso.template.guard import FunctionGuard
from eso.template.limits import TemplateLimits
from eso.template.scrub import scrub

__all__ = ["DelimiterSettings", "TemplateEngine", "go_context"]

_GUARDED_BUILTINS = ("print", "printf", "println", "html", "js", "urlquery")


class DelimiterSettings(Protocol):
    """What the engine reads from the operator's template settings."""

    @property
    def left_delimiter(self) -> str: ...

    @property
    def right_delimiter(self) -> str: ...


def _typed(data: Mapping[str, str]) -> gotpl.TypedMap[str, str]:
    return gotpl.TypedMap(dict(data), "", "string", "string")


def go_context(data: Mapping[str, bytes]) -> gotpl.TypedMap[str, str]:
    """ESO's ``map[string]string`` context built from provider bytes."""
    return _typed({key: go_string(value) for key, value in data.items()})


class TemplateEngine:
    """Compiles, caches and renders templates with ESO's function map, safely bounded.

    ``missing_key`` is ``"error"`` for ``target.template`` (ESO's ``missingkey=error``);
    only :meth:`transform_engine` uses Go's default.
    """

    def __init__(
        self,
        *,
        left_delimiter: str = "{{",
        right_delimiter: str = "}}",
        limits: TemplateLimits | None = None,
        missing_key: Literal["error", "default"] = "error",
    ) -> None:
        if not left_delimiter or not right_delimiter:
            raise ValueError("template delimiters must not be empty")
        self._delimiters = (left_delimiter, right_delimiter)
        self._missing_key: Literal["error", "default"] = missing_key
        self._transform_engine: TemplateEngine | None = None
        self._limits = limits or TemplateLimits()
        functions: dict[str, Callable[..., object]] = function_map()
        builtins = builtin_functions()
        for name in _GUARDED_BUILTINS:
            functions.setdefault(name, builtins[name])
        functions["printf"] = byte_exact_printf(builtins["printf"])
        self._function_names = frozenset(functions) | frozenset(builtins) | {"and", "or"}
        self._functions = prepare_functions(FunctionGuard(self._limits).wrap_all(functions))
        self._budget = gotpl.ExecutionBudget(
            max_output_chars=self._limits.max_output_bytes,
            max_iterations=self._limits.max_iterations,
            max_template_depth=self._limits.max_template_depth,
            max_function_calls=self._limits.max_function_calls,
        )
        self._cache: OrderedDict[tuple[str, str], GuardedTemplate] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: DelimiterSettings, limits: TemplateLimits | None = None
    ) -> TemplateEngine:
        """An engine with the operator's delimiters."""
        return cls(
            left_delimiter=settings.left_delimiter, right_delimiter=settings.right_delimiter, limits=limits
        )

    @property
    def limits(self) -> TemplateLimits:
        """The per-render limits."""
        return self._limits

    @property
    def delimiters(self) -> tuple[str, str]:
        """The left and right action delimiters."""
        return self._delimiters

    @property
    def function_names(self) -> frozenset[str]:
        """Every function a template may call (builtins included)."""
        return self._function_names

    def transform_engine(self) -> TemplateEngine:
        """The engine of ``dataFrom[].rewrite[].transform``, built once.

        ESO runs key transforms with the default ``{{ }}`` delimiters (whatever the flags
        say) and Go's default ``missingkey`` (a missing key prints ``<no value>``).
        """
        with self._lock:
            if self._transform_engine is None:
                self._transform_engine = TemplateEngine(limits=self._limits, missing_key="default")
            return self._transform_engine

    def compile(self, name: str, source: str) -> GuardedTemplate:
        """The compiled template for ``source`` (cached by name and source)."""
        key = (name, source)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        if len(source) > self._limits.max_source_chars:
            raise TemplateError(
                f"unable to parse template at key {name}: template is {len(source)} characters, "
                f"limit {self._limits.max_source_chars}"
            )
        try:
            template = GuardedTemplate(
                source,
                timeout=self._limits.timeout_seconds,
                name=name,
                delimiters=self._delimiters,
                functions=self._functions,
                missing_key=self._missing_key,
                budget=self._budget,
            )
        except gotpl.TemplateSyntaxError as error:
            detail = str(error).split(": ", 1)[-1]
            where = f"{name}:{error.line}:{error.column}"
            raise TemplateError(
                f"unable to parse template at key {name}: template: {where}: {detail}"
            ) from None
        except Exception as error:  # any parser failure is the user's template
            raise TemplateError(f"unable to parse template at key {name}: {type(error).__name__}") from None
        with self._lock:
            self._cache[key] = template
            while len(self._cache) > self._limits.cache_size:
                self._cache.popitem(last=False)
        return template

    def render(self, name: str, source: str, data: Mapping[str, str]) -> str:
        """Render ``source`` over ``data`` (Go strings); raises :class:`TemplateError`."""
        context = data if isinstance(data, gotpl.TypedMap) else _typed(data)
        if has_raw_bytes(source):
            if any(has_hidden_bytes(value) for value in context.values()):
                raise TemplateError(f"unable to parse template at key {name}: template is not valid UTF-8")
            return reveal_raw_bytes(self._render(name, hide_raw_bytes(source), context))
        return self._render(name, source, context)

    def _render(self, name: str, source: str, context: gotpl.TypedMap[str, str]) -> str:
        template = self.compile(name, source)
        try:
            output = template.render(context)
        except gotpl.TemplateExecutionError as error:
            raise TemplateError(self._execution_message(name, error, context)) from None
        except (RecursionError, MemoryError) as error:
            raise TemplateError(f"unable to execute template at key {name}: {type(error).__name__}") from None
        except Exception as error:  # a gotpl bug must not crash a reconcile
            message = f"unable to execute template at key {name}: {type(error).__name__}: {error}"
            raise TemplateError(scrub(message, context.values())) from None
        size = len(go_bytes(output))
        if size > self._limits.max_output_bytes:
            raise TemplateError(
                f"unable to execute template at key {name}: output is {size} bytes, "
                f"limit {self._limits.max_output_bytes}"
            )
        return output

    def render_bytes(self, name: str, source: str, data: Mapping[str, bytes]) -> bytes:
        """Render over provider bytes and return the rendered bytes (lossless both ways)."""
        return go_bytes(self.render(name, source, go_context(data)))

    @staticmethod
    def _execution_message(name: str, error: gotpl.TemplateExecutionError, context: Mapping[str, str]) -> str:
        detail = scrub(error.message, context.values())
        where = f"{name}:{error.line}:{error.column}" if error.line is not None else name
        executing = error.template_name or name
        return (
            f'unable to execute template at key {name}: template: {where}: executing "{executing}": {detail}'
        )
