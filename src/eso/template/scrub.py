"""Remove secret values from error text (defence in depth for template errors).

eso builds template error messages from the template's name, the position and gotpl's
description of what failed, none of which should hold data. But a description can quote
a value: ``fail .password`` puts the password in the error, a bad regexp taken from the
data is echoed back, a Python exception may show its argument. So every message is
passed through :func:`scrub` with every value of the context before it leaves the
engine: each value (and its JSON-escaped, HTML-safe JSON, quoted and per-line forms,
and the string fields of a value that is itself a JSON document) is replaced by
``[redacted]``; so is any run of eight or more characters that occurs inside a
value. Values of one or two characters are only replaced where they stand alone
(between non-word characters), so that positions such as ``1:4`` stay readable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

__all__ = ["REDACTED", "scrub"]

REDACTED = "[redacted]"
_MARK = "\ue000"
_SHORT = 3
_LINE = 4
_RUN = 8
_SCAN = 1 << 16


def _html_safe(text: str) -> str:
    """Go's json.Marshal form: <, > and & escaped as \u003c, \u003e, \u0026."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json_strings(value: str) -> list[str]:
    """String leaves of a value that is a JSON document (a password inside a JSON secret)."""
    if value[:1] not in "[{":
        return []
    try:
        doc = json.loads(value)
    except ValueError:
        return []
    out: list[str] = []
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and len(item) >= _SHORT:
            out.append(item)
    return out


def _variants(value: str) -> set[str]:
    forms: set[str] = set()
    for part in (value, *_json_strings(value)):
        escaped = json.dumps(part)[1:-1]
        forms |= {
            part,
            json.dumps(part, ensure_ascii=False)[1:-1],
            escaped,
            _html_safe(escaped),
            repr(part)[1:-1],
        }
        if "\n" in part:
            forms.update(line.strip() for line in part.splitlines() if len(line.strip()) >= _LINE)
    return {form for form in forms if form}


def _partial_runs(text: str, values: list[str]) -> str:
    """Mark every run of :data:`_RUN` or more characters of ``text`` that occurs in a value.

    This catches parts of a secret that reach an error through ``splitList``, ``regexFind``,
    ``substr`` and the like. Only the first :data:`_SCAN` characters of each value are
    searched, so a pathological error cannot make scrubbing slow.
    """
    haystack = "\x00".join(v[:_SCAN] for v in values if len(v) >= _RUN)
    if not haystack:
        return text
    covered = [False] * len(text)
    for start in range(len(text) - _RUN + 1):
        window = text[start : start + _RUN]
        if _MARK not in window and window in haystack:
            for i in range(start, start + _RUN):
                covered[i] = True
    out, i = [], 0
    while i < len(text):
        if covered[i]:
            while i < len(text) and covered[i]:
                i += 1
            out.append(_MARK)
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def scrub(text: str, values: Iterable[str], *, parts: bool = True) -> str:
    """``text`` with every occurrence of every value redacted.

    With ``parts`` (template errors, where functions can cut a secret into pieces) any
    long run of a value's characters is redacted too. Messages that eso builds itself
    from field paths (admission) pass ``parts=False``, so a field name that happens to
    occur inside a value is not blacked out.
    """
    values = [value for value in values if value]
    forms = sorted({form for value in values for form in _variants(value)}, key=len, reverse=True)
    for form in forms:
        if form not in text or _MARK in form:
            continue
        if len(form) >= _SHORT:
            text = text.replace(form, _MARK)
        else:
            text = re.sub(rf"(?<!\w){re.escape(form)}(?!\w)", _MARK, text)
    if parts:
        text = _partial_runs(text, values)
    return text.replace(_MARK, REDACTED)
