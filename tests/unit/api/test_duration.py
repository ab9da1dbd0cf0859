"""Go duration parsing and printing, checked against values Go's time package gives."""

from __future__ import annotations

import pytest

from eso.api.duration import (
    format_duration,
    format_duration_ns,
    parse_duration,
    parse_duration_ns,
    parse_int_or_duration,
)
from eso.errors import SpecError

NS, US, MS, S = 1, 1_000, 1_000_000, 1_000_000_000
M, H = 60 * S, 3600 * S


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("0", 0),
        ("+0", 0),
        ("-0", 0),
        ("0s", 0),
        ("5s", 5 * S),
        ("30s", 30 * S),
        ("1478s", 1478 * S),
        ("-5s", -5 * S),
        ("+5s", 5 * S),
        ("-0s", 0),
        ("5.0s", 5 * S),
        ("5.6s", 5 * S + 600 * MS),
        ("5.s", 5 * S),
        (".5s", 500 * MS),
        ("1.0s", 1 * S),
        ("1.00s", 1 * S),
        ("1.004s", 1 * S + 4 * MS),
        ("1.0040s", 1 * S + 4 * MS),
        ("100.00100s", 100 * S + 1 * MS),
        ("10ns", 10 * NS),
        ("11us", 11 * US),
        ("12\u00b5s", 12 * US),
        ("12\u03bcs", 12 * US),
        ("13ms", 13 * MS),
        ("14s", 14 * S),
        ("15m", 15 * M),
        ("16h", 16 * H),
        ("1h", H),
        ("1h0m0s", H),
        ("3h30m", 3 * H + 30 * M),
        ("10.5s4m", 4 * M + 10 * S + 500 * MS),
        ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
        ("1h2m3s4ms5us6ns", H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS),
        ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
        ("52763797000ns", 52763797000 * NS),
        ("0.3333333333333333333h", 20 * M),
        ("9007199254740993ns", (1 << 53) + 1),
        ("9223372036854775807ns", (1 << 63) - 1),
        ("9223372036854775.807us", (1 << 63) - 1),
        ("9223372036s854ms775us807ns", (1 << 63) - 1),
        ("-9223372036854775808ns", -(1 << 63)),
        ("-9223372036854775.808us", -(1 << 63)),
        ("-9223372036s854ms775us808ns", -(1 << 63)),
        ("-2562047h47m16.854775808s", -(1 << 63)),
        ("0.100000000000000000000h", 6 * M),
        ("0.830103483285477580700h", 49 * M + 48 * S + 372539827 * NS),
        ("1.5h", 90 * M),
        ("300ms", 300 * MS),
    ],
)
def test_parse_matches_go(text: str, nanoseconds: int) -> None:
    assert parse_duration_ns(text) == nanoseconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "3",
        "-",
        "s",
        ".",
        "-.",
        ".s",
        "+.s",
        "1d",
        "1hour",
        "1h ",
        " 1h",
        "\x85\x85",
        "\xffff",
        "hello \xffff world",
        "9223372036854775808ns",
        "9223372036854775.808us",
        "9223372036854ms775us808ns",
        "-9223372036854775809ns",
        "3000000h",
    ],
)
def test_parse_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(SpecError, match="invalid duration"):
        parse_duration_ns(text)


def test_errors_name_the_field_and_never_repeat_the_value() -> None:
    with pytest.raises(SpecError) as info:
        parse_duration("s3cr3t-value", field="spec.refreshInterval")
    assert info.value.field == "spec.refreshInterval"
    assert str(info.value).startswith("spec.refreshInterval: invalid duration")
    assert "s3cr3t" not in str(info.value)


def test_parse_gives_seconds() -> None:
    assert parse_duration("1h") == 3600.0
    assert parse_duration("1.5s") == 1.5
    assert parse_duration("-1s") == -1.0
    assert parse_duration("0") == 0.0


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [
        (0, "0s"),
        (1 * NS, "1ns"),
        (1100 * NS, "1.1\u00b5s"),
        (2200 * US, "2.2ms"),
        (3300 * MS, "3.3s"),
        (4 * M + 5 * S, "4m5s"),
        (4 * M + 5001 * MS, "4m5.001s"),
        (5 * H + 6 * M + 7001 * MS, "5h6m7.001s"),
        (8 * M + 1 * NS, "8m0.000000001s"),
        (H, "1h0m0s"),
        (90 * M, "1h30m0s"),
        (300 * MS, "300ms"),
        ((1 << 63) - 1, "2562047h47m16.854775807s"),
        (-(1 << 63), "-2562047h47m16.854775808s"),
        (-5 * S, "-5s"),
    ],
)
def test_format_matches_go(nanoseconds: int, text: str) -> None:
    assert format_duration_ns(nanoseconds) == text


def test_format_from_seconds() -> None:
    assert format_duration(3600) == "1h0m0s"
    assert format_duration(1.5) == "1.5s"
    assert format_duration(0) == "0s"
    assert format_duration(0.3) == "300ms"


@pytest.mark.parametrize("text", ["1h", "1h30m", "300ms", "2h45m10.5s", "0s", "-1m"])
def test_format_round_trips_through_parse(text: str) -> None:
    assert parse_duration_ns(format_duration_ns(parse_duration_ns(text))) == parse_duration_ns(text)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, 0.0), ("", 0.0), (0, 0.0), (300, 300.0), ("300", 300.0), ("5m", 300.0), ("1h", 3600.0)],
)
def test_int_or_duration(value: int | str | None, seconds: float) -> None:
    assert parse_int_or_duration(value) == seconds


@pytest.mark.parametrize("value", [-1, "-5m", "5 minutes", True])
def test_int_or_duration_rejects_negative_and_garbage(value: int | str) -> None:
    with pytest.raises(SpecError) as info:
        parse_int_or_duration(value, field="spec.refreshInterval")
    assert info.value.field == "spec.refreshInterval"
