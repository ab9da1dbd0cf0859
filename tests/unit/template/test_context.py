"""ESO's context is a Go ``map[string]string`` of bytes: what follows from that."""

from __future__ import annotations

import pytest

from eso.errors import TemplateError
from eso.template import TemplateEngine, TemplateLimits, go_bytes, go_context, go_string

DATA = {"one": "foo1-val", "my-key": "dash"}


def run(engine: TemplateEngine, source: str) -> str:
    return engine.render("t", source, DATA)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('[{{ index . "missing" }}]', "[]"),  # the zero value of a string (Go prints <no value> for any-maps)
        ('{{ index . "missing" | default "d" }}', "d"),
        ('{{ printf "%T" . }}', "map[string]string"),
        ("{{ typeOf . }}", "map[string]string"),
        ("{{ kindOf . }}", "map"),
        ('{{ kindIs "map" . }}', "true"),
        ("{{ toJson . }}", '{"my-key":"dash","one":"foo1-val"}'),
        ("{{ . | toRawJson }}", '{"my-key":"dash","one":"foo1-val"}'),
        ('{{ toJson (dict "ctx" .) }}', '{"ctx":{"my-key":"dash","one":"foo1-val"}}'),
        ("{{ toYaml . }}", "my-key: dash\none: foo1-val"),
        ("{{ len . }}", "2"),
        ("{{ . }}", "map[my-key:dash one:foo1-val]"),
        ("{{ range $k, $v := . }}{{ $k }};{{ end }}", "my-key;one;"),
        (
            '{{ (merge (dict "x" "1") .).x }}',
            "1",
        ),  # merging a map[string]string is silently skipped, as in Go
        ('{{ index . "my-key" }}', "dash"),
    ],
)
def test_map_string_string(engine: TemplateEngine, source: str, expected: str) -> None:
    assert run(engine, source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{{ keys . }}",
        '{{ hasKey . "one" }}',
        '{{ get . "one" }}',
        '{{ pick . "one" }}',
        '{{ omit . "one" }}',
        "{{ values . }}",
        '{{ set . "a" "b" }}',
        '{{ dig "one" "d" . }}',
        '{{ pluck "one" . }}',
        '{{ merge . (dict "a" 1) }}',
        "{{ mustMerge (dict) . }}",
    ],
)
def test_map_interface_functions_refuse_the_context_as_in_go(engine: TemplateEngine, source: str) -> None:
    with pytest.raises(
        TemplateError, match=r"expected map\[string\]interface \{\}; got map\[string\]string|same type"
    ):
        run(engine, source)


def test_missing_key_is_an_error_but_dash_keys_need_index(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError, match="missing"):
        run(engine, "{{ .missing }}")
    with pytest.raises(TemplateError):
        run(engine, "{{ .my-key }}")


def test_go_strings_round_trip_every_byte_sequence() -> None:
    for raw in (
        b"",
        b"plain",
        "héllo ✓".encode(),
        bytes(range(256)),
        b"\xed\xa0\x80",
        b"\xc3",
        b"\x00\xff" * 50,
    ):
        assert go_bytes(go_string(raw)) == raw


def test_render_bytes_is_lossless(engine: TemplateEngine) -> None:
    data = {"bin": b"\x00\x01\xfe\xff", "txt": "é".encode()}
    assert (
        engine.render_bytes("t", "{{ .bin }}|{{ .txt }}|{{ .txt | upper }}", data)
        == b"\x00\x01\xfe\xff|\xc3\xa9|\xc3\x89"
    )
    assert go_context(data)["bin"] == "\x00\x01\udcfe\udcff"


def test_stray_surrogates_in_output_become_replacement_characters(engine: TemplateEngine) -> None:
    assert engine.render_bytes("t", '{{ printf "%c" 55296 }}', {}) == "\ufffd".encode()


def test_custom_delimiters() -> None:
    engine = TemplateEngine(left_delimiter="<%", right_delimiter="%>")
    assert engine.render("t", "<% .one %> {{ .one }}", DATA) == "foo1-val {{ .one }}"
    assert engine.delimiters == ("<%", "%>")
    with pytest.raises(ValueError, match="delimiters"):
        TemplateEngine(left_delimiter="", right_delimiter="}}")


def test_from_settings() -> None:
    class Settings:
        left_delimiter = "[["
        right_delimiter = "]]"

    engine = TemplateEngine.from_settings(Settings(), TemplateLimits(timeout_seconds=1.0))
    assert engine.render("t", "[[ .one ]]", DATA) == "foo1-val"
    assert engine.limits.timeout_seconds == 1.0


def test_compile_cache(engine: TemplateEngine) -> None:
    first = engine.compile("cache-test", "{{ .one }}")
    assert engine.compile("cache-test", "{{ .one }}") is first
    small = TemplateEngine(limits=TemplateLimits(cache_size=2))
    a = small.compile("a", "a")
    small.compile("b", "b")
    small.compile("c", "c")
    assert small.compile("a", "a") is not a  # evicted, least recently used first


def test_printf_of_raw_bytes_is_go_exact(engine: TemplateEngine) -> None:
    data = {"b": b'a\xff\x01\n"b\xc3\xa9'}
    assert engine.render_bytes("t", '{{ printf "%q" .b }}', data) == b'"a\\xff\\x01\\n\\"b\xc3\xa9"'
    assert (
        engine.render_bytes("t", '{{ printf "%x|% X" .b .b }}', data)
        == b"61ff010a2262c3a9|61 FF 01 0A 22 62 C3 A9"
    )
