"""Go RE2 regular expressions, checked and run with Python's ``re``.

ESO's regexes (ClusterSecretStore ``namespaceRegexes``, ``find.name.regexp``,
``rewrite.regexp.source``, PushSecret ``dataTo.match.regexp``) are Go RE2. RE2 has no
look-around, back-references, atomic groups, possessive quantifiers, conditionals or
comments, and allows only the ``i``, ``m``, ``s`` and ``U`` flags; :func:`check` refuses
those constructs as Go's ``regexp.Compile`` would. :func:`compile` translates the few
RE2 spellings Python lacks (``\\z``, ``\\Q…\\E``, ``(?<name>…)``, ``[[:alpha:]]``) and
keeps RE2's meaning of ``$`` (end of text unless ``(?m)``) and of ``\\d \\w \\s \\b``
(ASCII). Go's ``MatchString`` is an unanchored search: use ``pattern.search``.

Not supported (refused with a clear error): Unicode classes ``\\pL``/``\\p{Greek}``
and the ungreedy flag ``U``.
"""

from __future__ import annotations

import re
import warnings

from eso.errors import SpecError

__all__ = ["check", "compile", "error_for"]

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7f",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_MAX_REPEAT = 1000


class _Unsupported(ValueError):
    """A construct Go's RE2 refuses (or eso cannot translate)."""


def _translate(pattern: str) -> str:
    """RE2 syntax → Python syntax; raises _Unsupported for what RE2 refuses.

    A flag group in the middle of a pattern (``a(?i)b``) applies, in RE2, up to the end of
    the enclosing group; Python only accepts flags at the start, so it becomes a scoped
    group closed where the enclosing group closes (``a(?i:b)``).
    """
    out: list[str] = []
    i = 0
    in_class = False
    multiline = bool(re.match(r"\(\?[is]*m[ims]*\)", pattern))
    scoped: list[int] = [0]  # per open group: scoped flag groups to close with it
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i = _escape(pattern, i, out)
        elif in_class:
            i, in_class = _class_char(pattern, i, out)
        elif c == "[":
            i = _class_opening(pattern, i, out)
            in_class = True
        elif c == "(" and pattern.startswith("(?", i):
            i, scoped_flags = _group_opening(pattern, i, out, at_start=i == 0)
            if scoped_flags:
                scoped[-1] += 1  # closed together with the enclosing group
            elif pattern[i - 1] != ")":
                scoped.append(0)  # a real group opened: its ")" comes later
        elif c == "(":
            scoped.append(0)
            out.append(c)
            i += 1
        elif c == ")":
            out.append(")" * scoped.pop() if len(scoped) > 1 else "")
            out.append(c)
            i += 1
        elif c == "{" and re.match(r"\{,\d*\}", pattern[i:]):
            out.append("\\{")  # x{,n} is a literal in RE2
            i += 1
        else:
            _check_quantifier(pattern, i)
            out.append("\\Z" if c == "$" and not multiline else c)
            i += 1
    out.append(")" * scoped[0])
    return "".join(out)


def _escape(pattern: str, i: int, out: list[str]) -> int:
    """Translate the escape at ``i``; return the index after it."""
    if i + 1 >= len(pattern):
        raise _Unsupported("trailing backslash")
    nxt = pattern[i + 1]
    if nxt == "Q":
        end = pattern.find("\\E", i + 2)
        out.append(re.escape(pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]))
        return len(pattern) if end < 0 else end + 2
    if nxt in "pP":
        raise _Unsupported("Unicode classes (\\p) are not supported by eso")
    if nxt in "kgZCNuU":
        raise _Unsupported(f"the escape \\{nxt} is not supported by Go RE2")
    if "1" <= nxt <= "9":
        octal = re.match(r"[0-7]{2,3}", pattern[i + 1 :])
        if octal is None or nxt > "7":
            raise _Unsupported("back-references are not supported by Go RE2")
        out.append(f"\\U{int(octal.group(0), 8):08x}")
        return i + 1 + len(octal.group(0))
    if nxt == "x" and pattern.startswith("{", i + 2):
        end = pattern.find("}", i + 3)
        digits = pattern[i + 3 : end] if end > 0 else ""
        if not digits or any(ch not in "0123456789abcdefABCDEF" for ch in digits):
            raise _Unsupported("malformed \\x{...} escape")
        out.append(f"\\U{int(digits, 16):08x}")
        return end + 1
    out.append("\\Z" if nxt == "z" else pattern[i : i + 2])
    return i + 2


def _class_opening(pattern: str, i: int, out: list[str]) -> int:
    """Copy ``[``, a negation and a leading literal ``]``; return the index after them."""
    out.append("[")
    i += 1
    if pattern.startswith("^", i):
        out.append("^")
        i += 1
    if pattern.startswith("]", i):
        out.append("\\]")
        i += 1
    return i


def _class_char(pattern: str, i: int, out: list[str]) -> tuple[int, bool]:
    """Translate one character inside a class; return the next index and whether still in the class."""
    c = pattern[i]
    if pattern.startswith("[:", i):
        end = pattern.find(":]", i + 2)
        name = pattern[i + 2 : end] if end > 0 else ""
        ranges = _POSIX_CLASSES.get(name)
        if ranges is None:
            raise _Unsupported("unknown or negated POSIX class")
        out.append(ranges)
        return end + 2, True
    if c in "[&~|":
        out.append("\\" + c)
        return i + 1, True
    out.append(c)
    return i + 1, c != "]"


def _check_quantifier(pattern: str, i: int) -> None:
    """Refuse possessive quantifiers and repeat counts RE2 does not allow."""
    c = pattern[i]
    if c in "*+?}" and pattern.startswith("+", i + 1):
        raise _Unsupported("possessive quantifiers are not supported by Go RE2")
    if c == "{":
        match = re.match(r"\{(\d+)(?:,(\d*))?\}", pattern[i:])
        if match and any(int(g) > _MAX_REPEAT for g in match.groups() if g):
            raise _Unsupported(f"repeat count above {_MAX_REPEAT}")


def _group_opening(pattern: str, i: int, out: list[str], *, at_start: bool = False) -> tuple[int, bool]:
    """Translate a ``(?…`` opening at ``i``; return the index after it, and whether it was a
    bare flag group turned into a scoped one (``(?i)`` not at the start → ``(?i:``; see _translate).
    A bare flag group at the start consumes its own ``)``.
    """
    rest = pattern[i + 2 :]
    if rest.startswith(("=", "!", "<=", "<!")):
        raise _Unsupported("look-around assertions are not supported by Go RE2")
    if rest.startswith((">", "#", "(", "P=", "P>", "&", "R", "|")) or rest[:1].isdigit():
        raise _Unsupported("this group syntax is not supported by Go RE2")
    if rest.startswith("P<"):
        out.append("(?P<")
        return i + 4, False
    if rest.startswith("<"):
        out.append("(?P<")
        return i + 3, False
    flags = re.match(r"([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])", rest)
    if flags is None:
        raise _Unsupported("malformed group")
    letters = (flags.group(1) or "") + (flags.group(2) or "")
    if "U" in letters:
        raise _Unsupported("the ungreedy flag U is not supported by eso")
    if any(ch not in "ims" for ch in letters):
        raise _Unsupported("only the flags i, m, s and U exist in Go RE2")
    if flags.group(3) == ")" and not at_start:
        out.append(f"(?{flags.group(0)[:-1]}:")
        return i + 2 + len(flags.group(0)), True
    out.append(f"(?{flags.group(0)}")
    return i + 2 + len(flags.group(0)), False


def error_for(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid Go RE2 regex eso can run, or None when it is fine."""
    try:
        _compile(pattern)
    except _Unsupported as exc:
        return str(exc)
    except re.error as exc:
        return f"invalid regular expression: {exc.msg}"
    return None


def check(pattern: str, *, field: str | None = None) -> None:
    """Raise :class:`SpecError` at ``field`` when ``pattern`` is not valid Go RE2."""
    problem = error_for(pattern)
    if problem is not None:
        raise SpecError(problem, field=field)


def compile(pattern: str, *, field: str | None = None) -> re.Pattern[str]:
    """Compile a Go RE2 pattern into a Python pattern with the same meaning (use ``.search``)."""
    check(pattern, field=field)
    return _compile(pattern)


def _compile(pattern: str) -> re.Pattern[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile(_translate(pattern), re.ASCII)
