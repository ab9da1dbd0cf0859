"""Remove secret values from error text (defence in depth for template errors).

eso builds template error messages from the template's name, the position and gotpl's
description of what failed, none of which should hold data. But a description can quote
a value: ``fail .password`` puts the password in the error, a bad regexp taken from the
data is echoed back, a Python exception may show its argument. So every message is
passed through :func:`scrub` with every value of the context before it leaves the
engine: each value (and its JSON-escaped, quoted and per-line forms) is replaced by
``[redacted]``. Values of one or two characters are only replaced where they stand alone
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


def _variants(value: str) -> set[str]:
    forms = {value, json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1], repr(value)[1:-1]}
    if "\n" in value:
        forms.update(line.strip() for line in value.splitlines() if len(line.strip()) >= _LINE)
    return {form for form in forms if form}


def scrub(text: str, values: Iterable[str]) -> str:
    """``text`` with every occurrence of every value replaced by :data:`REDACTED`."""
    forms = sorted({form for value in values if value for form in _variants(value)}, key=len, reverse=True)
    for form in forms:
        if form not in text or _MARK in form:
            continue
        if len(form) >= _SHORT:
            text = text.replace(form, _MARK)
        else:
            text = re.sub(rf"(?<!\w){re.escape(form)}(?!\w)", _MARK, text)
    return text.replace(_MARK, REDACTED)
