"""Go RE2 regular expressions (``find.name.regexp``) on Python's :mod:`re`.

ESO matches names with Go's ``regexp.MatchString``: an **unanchored** search in the RE2
dialect. :func:`compile_re2` translates the RE2 constructs Python spells differently
and refuses, with a clear error, what RE2 does not have (so a pattern never matches
differently here than in ESO):

* translated: ``\\z`` → ``\\Z``; ``\\Q…\\E`` literal text; ``\\x{10FFFF}``; POSIX classes
  ``[[:alpha:]]`` inside brackets; ``(?<name>…)`` → ``(?P<name>…)``; flag groups in the
  middle of a pattern (``a(?i)b``), which Python only accepts at the start, become
  scoped groups; ``x{,3}`` is a literal in RE2 and is escaped.
* refused: look-around, back-references, atomic groups, possessive quantifiers,
  conditionals, comments, ``\\Z``, ``\\C``, ``\\p{…}`` Unicode classes, ``(?U)``.

Matching uses :data:`re.ASCII` (RE2's ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII).
"""

from __future__ import annotations

import re

from eso.errors import SpecError

__all__ = ["compile_re2"]

_POSIX = {
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
_FLAGS = re.compile(r"\(\?([imsU-]+)\)")
_FLAG_GROUP = re.compile(r"\(\?([imsU-]*):")


def _refuse(pattern: str, what: str) -> SpecError:
    return SpecError(f"regexp {pattern!r} uses {what}, which Go RE2 (and so ESO) does not support")


class _Translator:
    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.out: list[str] = []
        self.scoped: list[int] = []  # per open group: how many scoped flag groups to close
        self.top_scoped = 0

    def run(self) -> str:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "\\":
                self._escape(in_class=False)
            elif char == "[":
                self._char_class()
            elif char == "(":
                self._group()
            elif char == ")":
                self._close_scoped()
                self.out.append(")")
                self.pos += 1
            elif char == "{":
                self._brace()
            elif char in "*+?" and self.src[self.pos + 1 : self.pos + 2] == "+":
                raise _refuse(self.src, "possessive quantifiers")
            else:
                self.out.append(char)
                self.pos += 1
        self.out.append(")" * self.top_scoped)
        return "".join(self.out)

    def _close_scoped(self) -> None:
        if self.scoped:
            self.out.append(")" * self.scoped.pop())

    def _escape(self, *, in_class: bool) -> None:
        nxt = self.src[self.pos + 1 : self.pos + 2]
        if nxt == "":
            raise SpecError(f"regexp {self.src!r}: trailing backslash")
        if nxt.isdigit() and nxt != "0":
            raise _refuse(self.src, "back-references")
        if nxt in ("Z", "C", "G") or nxt in ("p", "P"):
            what = {"Z": "\\Z", "C": "\\C", "G": "\\G"}.get(nxt, "Unicode classes (\\p{…})")
            raise _refuse(self.src, what)
        if nxt in ("k", "g") and not in_class:
            raise _refuse(self.src, "named back-references")
        if nxt == "z":
            self.out.append("\\Z")
            self.pos += 2
        elif nxt == "Q":
            end = self.src.find("\\E", self.pos + 2)
            literal = self.src[self.pos + 2 :] if end < 0 else self.src[self.pos + 2 : end]
            self.out.append(re.escape(literal))
            self.pos = len(self.src) if end < 0 else end + 2
        elif nxt == "x" and self.src[self.pos + 2 : self.pos + 3] == "{":
            end = self.src.find("}", self.pos + 3)
            if end < 0:
                raise SpecError(f"regexp {self.src!r}: unterminated \\x{{")
            code = int(self.src[self.pos + 3 : end] or "0", 16)
            self.out.append(re.escape(chr(code)))
            self.pos = end + 1
        else:
            self.out.append(self.src[self.pos : self.pos + 2])
            self.pos += 2

    def _char_class(self) -> None:
        self.out.append("[")
        self.pos += 1
        if self.src[self.pos : self.pos + 1] == "^":
            self.out.append("^")
            self.pos += 1
        if self.src[self.pos : self.pos + 1] == "]":
            self.out.append("\\]")
            self.pos += 1
        while self.pos < len(self.src) and self.src[self.pos] != "]":
            if self.src.startswith("[:", self.pos):
                end = self.src.find(":]", self.pos + 2)
                name = self.src[self.pos + 2 : end] if end > 0 else ""
                negated = name.startswith("^")
                ranges = _POSIX.get(name.lstrip("^"))
                if ranges is None:
                    raise SpecError(f"regexp {self.src!r}: unknown character class [:{name}:]")
                if negated:
                    raise _refuse(self.src, "negated POSIX classes inside brackets")
                self.out.append(ranges)
                self.pos = end + 2
            elif self.src[self.pos] == "\\":
                self._escape(in_class=True)
            elif self.src[self.pos] == "[":
                self.out.append("\\[")
                self.pos += 1
            else:
                self.out.append(self.src[self.pos])
                self.pos += 1
        if self.pos >= len(self.src):
            raise SpecError(f"regexp {self.src!r}: missing closing ]")
        self.out.append("]")
        self.pos += 1

    def _group(self) -> None:
        rest = self.src[self.pos :]
        for prefix, what in (
            ("(?=", "look-ahead"),
            ("(?!", "look-ahead"),
            ("(?<=", "look-behind"),
            ("(?<!", "look-behind"),
            ("(?>", "atomic groups"),
            ("(?(", "conditionals"),
            ("(?#", "comments"),
            ("(?P=", "named back-references"),
            ("(?P>", "recursion"),
        ):
            if rest.startswith(prefix):
                raise _refuse(self.src, what)
        flags = _FLAGS.match(rest)
        if flags:
            if "U" in flags.group(1):
                raise _refuse(self.src, "the ungreedy flag (?U)")
            # (?i) applies to the rest of the enclosing group: make that a scoped group.
            self.out.append(f"(?{flags.group(1)}:")
            if self.scoped:
                self.scoped[-1] += 1
            else:
                self.top_scoped += 1
            self.pos += flags.end()
            return
        scoped = _FLAG_GROUP.match(rest)
        if scoped and "U" in scoped.group(1):
            raise _refuse(self.src, "the ungreedy flag (?U)")
        if rest.startswith("(?<") and not rest.startswith("(?<=") and not rest.startswith("(?<!"):
            self.out.append("(?P<")
            self.pos += 3
        elif scoped:
            self.out.append(scoped.group(0))
            self.pos += scoped.end()
        elif rest.startswith("(?P<") or not rest.startswith("(?"):
            self.out.append("(")
            self.pos += 1
        else:
            raise SpecError(f"regexp {self.src!r}: unsupported group syntax at offset {self.pos}")
        self.scoped.append(0)

    def _brace(self) -> None:
        match = re.match(r"\{(\d+)(,(\d*))?\}", self.src[self.pos :])
        if match is None:
            self.out.append("\\{")
            self.pos += 1
            return
        self.out.append(match.group(0))
        self.pos += match.end()


def compile_re2(pattern: str) -> re.Pattern[str]:
    """Compile a Go RE2 pattern for ``.search`` (unanchored, like ``MatchString``).

    Raises SpecError for an invalid pattern or a construct RE2 does not have.
    """
    translated = _Translator(pattern).run()
    try:
        return re.compile(translated, re.ASCII)
    except re.error as exc:
        raise SpecError(f"invalid regexp {pattern!r}: {exc}") from None
