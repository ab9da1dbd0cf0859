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
from datetime import datetime
from typing import Any

import gotpl
from gotime.go import Time as GoTime
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
    """gotpl's time value, printed like Go's ``time.Time.String()``."""

    __slots__ = ()

    def __str__(self) -> str:
        plain = datetime(
            self.year, self.month, self.day, self.hour, self.minute, self.second, tzinfo=self.tzinfo
        )
        nanosecond = getattr(self, "nanosecond", self.microsecond * 1000)
        base = GoTime.from_datetime(plain)
        return str(GoTime.from_unix(base.unix_seconds, nanosecond, location=base.location))


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
