"""Go durations: ``time.ParseDuration`` and ``Duration.String`` rebuilt in Python.

ESO's ``refreshInterval``, ``refreshTime``, ``retryInterval`` and sync-window
``duration`` fields are Go ``metav1.Duration`` strings (``1h``, ``1h30m``, ``300ms``,
``1.5h``, ``0``, ``-1s``). :func:`parse_duration_ns` follows Go's algorithm exactly,
integer nanoseconds included (fractions are truncated the way Go truncates them, and
anything beyond ±2^63-1 ns is an overflow error); :func:`parse_duration` gives seconds.
:func:`format_duration` prints Go's canonical form (``3600`` → ``1h0m0s``).

A SecretStore's ``refreshInterval`` is an IntOrString: an integer is seconds (the
legacy form), a string is a Go duration; :func:`parse_int_or_duration` handles both.

Errors are :class:`eso.errors.SpecError`. Messages describe what is wrong but never
repeat the input (a manifest field might hold something sensitive by mistake).
"""

from __future__ import annotations

from eso.errors import SpecError

__all__ = [
    "NANOSECOND",
    "SECOND",
    "format_duration",
    "format_duration_ns",
    "parse_duration",
    "parse_duration_ns",
    "parse_int_or_duration",
]

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_MAX_INT64 = (1 << 63) - 1

_UNITS: dict[str, int] = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,  # U+00B5 micro sign
    "\u03bcs": MICROSECOND,  # U+03BC Greek small letter mu
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}

_HINT = 'a number and a unit (ns, us, ms, s, m, h), e.g. "1h", "30m", "1h30m", "10s" or "0"'


def _fail(problem: str, field: str | None) -> SpecError:
    return SpecError(f"invalid duration: {problem} (expected {_HINT})", field=field)


def _leading_int(s: str, i: int) -> tuple[int, int, bool]:
    """Digits from ``i``: (value, next index, overflowed)."""
    value = 0
    j = i
    while j < len(s) and "0" <= s[j] <= "9":
        if value > (1 << 63) // 10:
            return 0, j, True
        value = value * 10 + (ord(s[j]) - 48)
        if value > 1 << 63:
            return 0, j, True
        j += 1
    return value, j, False


def _leading_fraction(s: str, i: int) -> tuple[int, float, int]:
    """Digits after the dot: (fraction digits as int, scale, next index); extra digits are dropped."""
    value = 0
    scale = 1.0
    overflow = False
    j = i
    while j < len(s) and "0" <= s[j] <= "9":
        if not overflow:
            if value > _MAX_INT64 // 10:
                overflow = True
            else:
                candidate = value * 10 + (ord(s[j]) - 48)
                if candidate > 1 << 63:
                    overflow = True
                else:
                    value = candidate
                    scale *= 10
        j += 1
    return value, scale, j


def parse_duration_ns(text: str, *, field: str | None = None) -> int:
    """Parse a Go duration string into integer nanoseconds (Go ``time.ParseDuration``)."""
    s = text
    total = 0
    neg = False
    i = 0
    if s and s[0] in "+-":
        neg = s[0] == "-"
        i = 1
    if s[i:] == "0":
        return 0
    if i >= len(s):
        raise _fail("it is empty" if not s else "a sign alone is not a duration", field)
    while i < len(s):
        if not (s[i] == "." or "0" <= s[i] <= "9"):
            raise _fail("a number is missing", field)
        start = i
        whole, i, overflow = _leading_int(s, i)
        if overflow:
            raise _fail("the value is too large", field)
        has_whole = i != start
        frac, scale, has_frac = 0, 1.0, False
        if i < len(s) and s[i] == ".":
            frac_start = i + 1
            frac, scale, i = _leading_fraction(s, frac_start)
            has_frac = i != frac_start
        if not has_whole and not has_frac:
            raise _fail("a dot needs digits next to it", field)
        unit_start = i
        while i < len(s) and s[i] != "." and not ("0" <= s[i] <= "9"):
            i += 1
        if unit_start == i:
            raise _fail("missing unit", field)
        unit = _UNITS.get(s[unit_start:i])
        if unit is None:
            raise _fail("unknown unit", field)
        if whole > ((1 << 63) // unit):
            raise _fail("the value is too large", field)
        value = whole * unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > 1 << 63:
                raise _fail("the value is too large", field)
        total += value
        if total > 1 << 63:
            raise _fail("the value is too large", field)
    if neg:
        return -total
    if total > _MAX_INT64:
        raise _fail("the value is too large", field)
    return total


def parse_duration(text: str, *, field: str | None = None) -> float:
    """Parse a Go duration string into seconds (``"1h"`` → ``3600.0``)."""
    return parse_duration_ns(text, field=field) / SECOND


def _fmt_frac(value: int, prec: int) -> tuple[str, int]:
    """Go's fmtFrac: the fraction part (with its dot, trailing zeros dropped) and the integer rest."""
    digits: list[str] = []
    printed = False
    for _ in range(prec):
        digit = value % 10
        printed = printed or digit != 0
        if printed:
            digits.append(str(digit))
        value //= 10
    frac = "." + "".join(reversed(digits)) if printed else ""
    return frac, value


def format_duration_ns(ns: int) -> str:
    """Go's ``Duration.String()`` for integer nanoseconds (``3_600 * 10**9`` → ``1h0m0s``)."""
    neg = ns < 0
    u = -ns if neg else ns
    if u < SECOND:
        if u == 0:
            return "0s"
        if u < MICROSECOND:
            prec, unit = 0, "ns"
        elif u < MILLISECOND:
            prec, unit = 3, "\u00b5s"
        else:
            prec, unit = 6, "ms"
        frac, rest = _fmt_frac(u, prec)
        out = f"{rest}{frac}{unit}"
    else:
        frac, rest = _fmt_frac(u, 9)
        out = f"{rest % 60}{frac}s"
        rest //= 60
        if rest > 0:
            out = f"{rest % 60}m{out}"
            rest //= 60
            if rest > 0:
                out = f"{rest}h{out}"
    return f"-{out}" if neg else out


def format_duration(seconds: float) -> str:
    """Go's ``Duration.String()`` for a number of seconds (``3600`` → ``1h0m0s``, ``1.5`` → ``1.5s``)."""
    return format_duration_ns(round(seconds * SECOND))


def parse_int_or_duration(value: int | str | None, *, field: str | None = None) -> float:
    """Seconds from an IntOrString interval (a SecretStore's ``refreshInterval``).

    An integer is seconds (ESO's legacy form); a string is a Go duration. A string of
    digits only is taken as seconds too, as the integer form would be. ``None`` and the
    empty string give 0, which callers read as "use the controller default". Negative
    values are rejected.
    """
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        raise SpecError("must be an integer number of seconds or a duration string", field=field)
    if isinstance(value, int):
        seconds = float(value)
    elif value.isascii() and value.isdigit():
        seconds = float(int(value))
    else:
        seconds = parse_duration(value, field=field)
    if seconds < 0:
        raise SpecError("must not be negative", field=field)
    return seconds
