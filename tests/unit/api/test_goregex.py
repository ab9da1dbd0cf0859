"""Go RE2 patterns: what RE2 refuses is refused, RE2 spellings Python lacks are translated."""

from __future__ import annotations

import pytest

from eso.api import goregex
from eso.errors import SpecError


@pytest.mark.parametrize(
    "pattern",
    [
        "team-a",
        "^prod-.*$",
        "(?i)abc",
        "[[:alpha:]]+",
        r"\Qa.b\E",
        "(?P<n>x)",
        "(?<n>x)",
        r"\z",
        r"\x{41}",
        "a{2,1000}",
    ],
)
def test_valid_re2_patterns_compile(pattern: str) -> None:
    assert goregex.error_for(pattern) is None
    goregex.compile(pattern)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(?=x)", "look-around"),
        ("(?!x)", "look-around"),
        ("(?<=x)", "look-around"),
        ("(?<!x)", "look-around"),
        (r"(a)\1", "back-references"),
        ("(?P=n)", "not supported"),
        ("(?>a)", "not supported"),
        ("a++", "possessive"),
        ("(?x)a b", "flags"),
        ("a{1001}", "repeat count"),
        (r"\Z", "not supported"),
        ("(", "invalid regular expression"),
    ],
)
def test_what_re2_refuses_is_refused(pattern: str, message: str) -> None:
    problem = goregex.error_for(pattern)
    assert problem is not None
    assert message in problem
    with pytest.raises(SpecError) as info:
        goregex.check(pattern, field="spec.conditions[0].namespaceRegexes[0]")
    assert info.value.field == "spec.conditions[0].namespaceRegexes[0]"


def test_match_string_is_an_unanchored_search() -> None:
    assert goregex.compile("team-a").search("team-a-prod")


def test_dollar_means_end_of_text_unless_multiline() -> None:
    assert not goregex.compile("^a$").search("a\n")
    assert goregex.compile("(?m)^a$").search("b\na\nc")


def test_translations_keep_re2_meaning() -> None:
    assert goregex.compile(r"\Qa.b\E").search("a.b")
    assert not goregex.compile(r"\Qa.b\E").search("axb")
    assert goregex.compile(r"\x{41}\101").search("AA")
    assert goregex.compile("[[:digit:]]+").findall("ab12c3") == ["12", "3"]
    assert goregex.compile(r"\d").search("\u0663") is None
    assert goregex.compile("(?<name>x)").search("x").group("name") == "x"  # type: ignore[union-attr]
