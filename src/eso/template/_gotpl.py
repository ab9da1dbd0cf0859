"""The one place that reaches into gotpl internals: a wall-clock budget and the builtins.

gotpl's :class:`gotpl.ExecutionBudget` counts output, ``range`` iterations, function
calls and template depth, but has no clock. Every one of those counters is a method on
a per-render state object, so subclassing that state gives eso a deadline checked in the
hot path of the VM: on every iteration, function call, output write and template call.
No loop and no recursion can run without passing through one of them; a single function
call is bounded separately by :mod:`eso.template.guard`.

gotpl creates the state in ``Template._new_render_session``; :class:`GuardedTemplate`
overrides that one method. gotpl is pinned below 0.2 in ``pyproject.toml`` and
``tests/unit/template/test_limits.py`` fails if the hook stops working.

:func:`printable_time` gives gotpl's time values Go's ``time.Time.String()``.

:func:`builtin_functions` exposes gotpl's Go builtins (``print``, ``printf``, ``len`` …)
so that :mod:`eso.template.guard` can wrap the ones that allocate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import gotpl
from gotpl import GoFormatSpec
from gotpl.errors import BudgetExceededError
from gotpl.funcs.sprig.dates import _GoDateTime
from gotpl.runtime.callables import PreparedFunctionRegistry
from gotpl.runtime.context import RenderSession
from gotpl.runtime.policy import ExecutionBudgetState
from gotpl.runtime.sync_vm import _builtin_functions
from gotpl.runtime.values import UNTYPED_NIL

__all__ = [
    "UNTYPED_NIL",
    "DeadlineBudgetState",
    "GuardedTemplate",
    "builtin_functions",
    "prepare_functions",
    "printable_time",
]


@dataclass(slots=True)
class DeadlineBudgetState(ExecutionBudgetState):
    """gotpl's per-render counters plus a monotonic-clock deadline."""

    deadline: float = 0.0
    timeout: float = 0.0

    def _tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetExceededError(f"render time budget exceeded: limit {self.timeout:g}s")

    def consume_output(self, amount: int) -> None:
        self._tick()
        ExecutionBudgetState.consume_output(self, amount)

    def consume_iteration(self) -> None:
        self._tick()
        ExecutionBudgetState.consume_iteration(self)

    def consume_function_call(self) -> None:
        self._tick()
        ExecutionBudgetState.consume_function_call(self)

    def check_template_depth(self, depth: int) -> None:
        self._tick()
        ExecutionBudgetState.check_template_depth(self, depth)


class GuardedTemplate(gotpl.Template):
    """A gotpl template whose every render carries a :class:`DeadlineBudgetState`."""

    def __init__(self, source: str, *, timeout: float, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        object.__setattr__(self, "_eso_timeout", timeout)

    def _new_render_session(self) -> RenderSession:
        timeout: float = object.__getattribute__(self, "_eso_timeout")
        budget = self.budget if self.budget is not None else gotpl.ExecutionBudget()
        state = DeadlineBudgetState(budget, deadline=time.monotonic() + timeout, timeout=timeout)
        return RenderSession(self, state)


def builtin_functions() -> Mapping[str, Callable[..., object]]:
    """gotpl's Go builtins (``print``, ``printf``, ``len``, ``index`` …) in Go format mode."""
    return dict(_builtin_functions("go"))


def prepare_functions(functions: Mapping[str, Callable[..., object]]) -> Mapping[str, Callable[..., object]]:
    """Inspect the signatures once, so compiling a template does not redo it."""
    return PreparedFunctionRegistry(functions)


class _PrintedTime(_GoDateTime):
    """gotpl's time value, printed like Go's ``time.Time.String()`` (``%T`` is ``time.Time``)."""

    __slots__ = ()

    def __go_format_value__(self, kind: str, mode: str, *, nested: bool) -> str | None:
        """gotpl's formatting hook: Go's type name for ``%T``, ``String()`` when printed."""
        del mode, nested
        return "time.Time" if kind == "type" else str(self)

    def __go_format__(self, spec: GoFormatSpec) -> str:
        """``printf`` verbs: ``%T`` is ``time.Time``, ``%v``/``%s`` use ``String()`` as in Go."""
        if spec.verb == "T":
            text = "time.Time"
        elif spec.verb in ("v", "s"):
            text = str(self)
        else:
            text = f"%!{spec.verb}(time.Time={self})"
        width = spec.width or 0
        pad = " " * max(width - len(text), 0)
        return text + pad if "-" in spec.flags else pad + text

    def __str__(self) -> str:
        nanosecond = getattr(self, "nanosecond", self.microsecond * 1000)
        fraction = f".{nanosecond:09d}".rstrip("0") if nanosecond else ""
        offset = self.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        numeric = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        if isinstance(self.tzinfo, timezone) or self.tzinfo is None:
            zone = "UTC" if minutes == 0 else numeric  # Go's fixed zones have no name
        else:
            zone = self.tzname() or numeric
        day = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        clock = f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}"
        return f"{day} {clock}{fraction} {numeric} {zone}"


def printable_time(value: datetime) -> datetime:
    """``value`` (gotpl's time) as a datetime that prints the way Go prints a time."""
    printed = _PrintedTime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
        fold=value.fold,
    )
    printed.nanosecond = getattr(value, "nanosecond", value.microsecond * 1000)
    return printed
