"""``dataFrom[].rewrite``: rename (regexp, transform) or merge keys, in order (eso-api §2.4).

* ``regexp``: Go's ``Regexp.ReplaceAllString`` on each key, with Go's ``$`` expansion
  (``$1``, ``${name}``, ``$$``; ``$1x`` means the group named ``1x``, which is empty).
* ``transform``: a template over the key (``.value``), with the ESO function map.
* ``merge``: JSON-object values merged into top-level keys (``Extract``) or into one
  key (``JSON``), with ESO's priority and conflict rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from eso.api import goregex
from eso.api.externalsecret import ExternalSecretRewrite, RewriteMerge
from eso.api.policies import MergeConflictPolicy, MergePriorityPolicy, MergeStrategy
from eso.errors import SpecError

__all__ = ["apply_rewrites", "compile_go_regexp", "go_expand"]

_EXPAND = re.compile(r"\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def compile_go_regexp(pattern: str, field: str) -> re.Pattern[str]:
    """Compile a Go RE2 pattern (refusing what RE2 refuses); SpecError names ``field``."""
    return goregex.compile(pattern, field=field)


def go_expand(template: str, match: re.Match[str]) -> str:
    """Expand ``$1`` / ``${name}`` in ``template`` the way Go's Regexp.Expand does."""

    def group(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(2) or ""
        try:
            value = match.group(int(name)) if name.isdigit() else match.group(name)
        except IndexError:
            return ""
        return value or ""

    return _EXPAND.sub(group, template)


def _regexp(data: Mapping[str, bytes], source: str, target: str, field: str) -> dict[str, bytes]:
    pattern = compile_go_regexp(source, f"{field}.regexp.source")
    out: dict[str, bytes] = {}
    for key, value in data.items():
        out[pattern.sub(lambda m: go_expand(target, m), key)] = value
    return out


def _merge(data: Mapping[str, bytes], merge: RewriteMerge, field: str) -> dict[str, bytes]:
    for key in merge.priority:
        if key not in data and merge.priority_policy == MergePriorityPolicy.STRICT:
            raise SpecError(
                f"merge priority key {key!r} not found in the data", field=f"{field}.merge.priority"
            )
    order = sorted(k for k in data if k not in merge.priority) + [k for k in merge.priority if k in data]
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    for key in order:
        try:
            obj = json.loads(data[key])
        except ValueError:
            raise SpecError(f"merge: value of key {key!r} is not JSON", field=f"{field}.merge") from None
        if not isinstance(obj, dict):
            raise SpecError(f"merge: value of key {key!r} is not a JSON object", field=f"{field}.merge")
        for name, value in obj.items():
            if name in merged and merged[name] != value:
                conflicts.append(name)
            merged[name] = value
    if conflicts and merge.conflict_policy == MergeConflictPolicy.ERROR:
        raise SpecError(
            f"merge failed with conflicts: {', '.join(sorted(set(conflicts)))}", field=f"{field}.merge"
        )
    if merge.strategy == MergeStrategy.JSON:
        if not merge.into:
            raise SpecError("merge strategy JSON needs `into`", field=f"{field}.merge.into")
        out = dict(data)
        out[merge.into] = json.dumps(merged, ensure_ascii=False, separators=(",", ":")).encode()
        return out
    return {k: _scalar(v) for k, v in merged.items()}


def _scalar(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if value is None:
        return b""
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int | float):
        from eso.providers._gjson import format_go_float

        return (str(value) if isinstance(value, int) else format_go_float(value)).encode()
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def apply_rewrites(
    data: Mapping[str, bytes],
    rewrites: list[ExternalSecretRewrite],
    field: str,
    transform: Callable[[str, str], str],
) -> dict[str, bytes]:
    """Apply ``rewrites`` in order; ``transform(template, key)`` renders a transform step."""
    out = dict(data)
    for i, step in enumerate(rewrites):
        where = f"{field}.rewrite[{i}]"
        if step.regexp is not None:
            out = _regexp(out, step.regexp.source, step.regexp.target, where)
        elif step.transform is not None:
            out = {transform(step.transform.template, key): value for key, value in out.items()}
        elif step.merge is not None:
            out = _merge(out, step.merge, where)
    return out
