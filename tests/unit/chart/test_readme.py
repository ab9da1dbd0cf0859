"""The chart README's values table covers values.yaml, and values.yaml documents every key."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from tests.unit.chart.chartlib import CHART


def _leaves(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict) and node:
        return [leaf for key, value in node.items() for leaf in _leaves(value, f"{prefix}{key}.")]
    return [prefix.rstrip(".")]


def _documented_in_values() -> set[str]:
    """Keys preceded by a ``# --`` comment, as dotted paths."""
    documented: set[str] = set()
    stack: list[str] = []
    pending = False
    for line in (CHART / "values.yaml").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("# --"):
            pending = True
            continue
        if not stripped or stripped.startswith(("#", "- ")):
            continue
        match = re.match(r"^( *)([A-Za-z0-9_.-]+):", line)
        if not match:
            continue
        depth = len(match.group(1)) // 2
        stack = [*stack[:depth], match.group(2)]
        if pending:
            documented.add(".".join(stack))
            pending = False
    return documented


def _readme_keys() -> set[str]:
    text = (CHART / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Values") :]
    return set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE))


def _covered(leaf: str, keys: set[str]) -> bool:
    parts = leaf.split(".")
    return any(".".join(parts[:n]) in keys for n in range(1, len(parts) + 1))


def test_every_value_is_documented_in_values_yaml() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    documented = _documented_in_values()
    missing = [leaf for leaf in _leaves(values) if not _covered(leaf, documented)]
    assert missing == []


def test_readme_table_matches_values_yaml() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    readme = _readme_keys()
    assert readme == _documented_in_values()
    missing = [leaf for leaf in _leaves(values) if not _covered(leaf, readme)]
    assert missing == []


def test_readme_defaults_are_the_real_defaults() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    text = (CHART / "README.md").read_text(encoding="utf-8")
    table = text[text.index("## Values") :]
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]*)` \|", table, flags=re.MULTILINE)
    assert rows
    for key, default in rows:
        if default == "see values.yaml":
            continue
        value: Any = values
        for part in key.split("."):
            value = value[part]
        assert json.loads(default) == value, key
