"""Bounded rendering: templates that would loop forever or eat the memory stop with a TemplateError.

Timings are not asserted (pytest-timeout is the backstop against a hang); the tests check
that each runaway template is stopped, and by which limit.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eso.errors import TemplateError
from eso.template import TemplateEngine, TemplateLimits
from eso.template._gotpl import DeadlineBudgetState, GuardedTemplate

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(scope="module")
def quick() -> TemplateEngine:
    """An engine with a short clock, so the wall-clock tests finish fast."""
    return TemplateEngine(limits=TemplateLimits(timeout_seconds=0.3))


def _exponential_defines(depth: int) -> str:
    body = "".join(
        f'{{{{define "t{i}"}}}}{{{{template "t{i + 1}" .}}}}{{{{template "t{i + 1}" .}}}}{{{{end}}}}'
        for i in range(depth)
    )
    return body + f'{{{{define "t{depth}"}}}}{{{{end}}}}{{{{template "t0" .}}}}'


def test_wall_clock_hook_is_installed(quick: TemplateEngine) -> None:
    template = quick.compile("hook", "x")
    assert isinstance(template, GuardedTemplate)
    session = template._new_render_session()
    assert isinstance(session.budget_state, DeadlineBudgetState)


def test_exponential_template_calls_are_stopped_by_the_clock(quick: TemplateEngine) -> None:
    # 2**40 template calls, no function call, no range, no output: only the clock can stop it
    with pytest.raises(TemplateError, match="render time budget exceeded"):
        quick.render("k", _exponential_defines(40), {})


def test_slow_function_loop_is_stopped_by_the_clock(quick: TemplateEngine) -> None:
    source = '{{ range until 5000 }}{{ derivePassword 1 "long" "p" "u" "s" }}{{ end }}'
    with pytest.raises(TemplateError, match="render time budget exceeded"):
        quick.render("k", source, {})


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("{{ range until 100000000 }}x{{ end }}", "until: result of size 100000000"),
        (
            "{{ range $i := until 100000 }}{{ range $j := until 100000 }}{{ end }}{{ end }}",
            "iteration budget",
        ),
        ("{{ range $i := 1000000 }}{{ end }}", "iteration budget"),
        ("{{ untilStep 0 1000000000 1 }}", "untilStep: result of size"),
        ("{{ seq 1 100000000 }}", "seq: result of size"),
        ('{{ repeat 100000000 "ab" }}', "repeat: result of size"),
        ('{{ $s := "ab" }}{{ range until 60 }}{{ $s = print $s $s }}{{ end }}', "print: returned"),
        ('{{ $s := "ab" }}{{ range until 60 }}{{ $s = printf "%s%s" $s $s }}{{ end }}', "printf: returned"),
        ('{{ $s := "ab" }}{{ range until 60 }}{{ $s = cat $s $s }}{{ end }}', "cat: returned"),
        (
            "{{ $l := list 1 }}{{ range until 60 }}{{ $l = list $l $l }}{{ end }}{{ toJson $l }}",
            "list: returned",
        ),
        ("{{ $l := list 1 }}{{ range until 60 }}{{ $l = concat $l $l }}{{ end }}", "concat: returned"),
        ('{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ toJson $d }}', "set: returned"),
        ('{{ printf "%0999999999d" 1 }}', "printf: result of size"),
        ('{{ printf "%.999999999f" 1.5 }}', "printf: result of size"),
        ('{{ printf "%*d" 999999999 1 }}', "printf: result of size"),
        ('{{ indent 100000000 "a" }}', "indent: result of size"),
        ('{{ replace "" (repeat 1000 "x") (repeat 100000 "y") }}', "replace: result of size"),
        ('{{ regexReplaceAll "" (repeat 100000 "y") (repeat 1000 "x") }}', "regexReplaceAll: result of size"),
        ('{{ wrapWith 1 (repeat 1000 "x") (repeat 100000 "y") }}', "wrapWith: result of size"),
        ('{{ splitList "" (repeat 1000000 "y") }}', "splitList: result of size"),
        ("{{ randAlpha 100000000 }}", "randAlpha: result of size"),
        ("{{ randBytes 100000000 }}", "randBytes: result of size"),
        ("{{ uniq (until 50000) }}", "uniq: result of size"),
        ('{{ range until 2000 }}{{ repeat 1000 "x" }}{{ end }}', "output character budget"),
        ('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', "template-depth budget"),
    ],
)
def test_runaway_templates_are_stopped(engine: TemplateEngine, source: str, why: str) -> None:
    with pytest.raises(TemplateError) as caught:
        engine.render("k", source, {})
    name, _, reason = why.partition(": ")
    assert (name in caught.value.message and reason in caught.value.message) or why in caught.value.message


def test_output_limit_is_in_bytes(engine: TemplateEngine) -> None:
    small = TemplateEngine(limits=TemplateLimits(max_output_bytes=10))
    assert small.render("k", "{{ .v }}", {"v": "é" * 5}) == "é" * 5
    with pytest.raises(TemplateError, match="output is 12 bytes, limit 10"):
        small.render("k", "{{ .v }}", {"v": "é" * 6})
    assert engine.render("k", '{{ repeat 1000000 "x" | len }}', {}) == "1000000"


def test_source_limit() -> None:
    small = TemplateEngine(limits=TemplateLimits(max_source_chars=100))
    with pytest.raises(TemplateError, match="template is 101 characters, limit 100"):
        small.render("k", "x" * 101, {})


def test_legitimate_large_work_still_renders(engine: TemplateEngine) -> None:
    data = {f"key{i}": "v" * 100 for i in range(1000)}
    out = engine.render("k", "{{ range $k, $v := . }}{{ $k }}={{ $v | b64enc }}\n{{ end }}", data)
    assert out.count("\n") == 1000
    assert engine.render("k", "{{ range until 90000 }}{{ end }}ok", {}) == "ok"
    assert engine.render("k", '{{ toJson (splitList "," (repeat 20000 "a,")) | len }}', {}) == "80004"


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="max_items"):
        TemplateLimits(max_items=0)
    with pytest.raises(ValueError, match="timeout_seconds"):
        TemplateLimits(timeout_seconds=0)


# --- property tests: random templates over random data never crash and never hang

_SLOW = frozenset(
    {
        "genPrivateKey",
        "genCA",
        "genCAWithKey",
        "genSelfSignedCert",
        "genSelfSignedCertWithKey",
        "genSignedCert",
        "genSignedCertWithKey",
        "derivePassword",
        "bcrypt",
        "htpasswd",
        "buildCustomCert",
    }
)
_FUNCTIONS = sorted(TemplateEngine().function_names - _SLOW - {"and", "or"})
_KEYS = ["a", "b", "my-key", "json", "bin"]

_literal = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(["0", "1", "-1", "3", "1000000000", "1.5", "1e300", "nil", "true", "false"]),
    st.text(alphabet=string.ascii_letters + string.digits + " .,:-_%$*[]{}\\", max_size=12).map(
        lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    ),
    st.sampled_from([f".{k}" for k in _KEYS if "-" not in k] + ['(index . "my-key")', "$", "."]),
)
_argument = st.recursive(
    _literal,
    lambda inner: st.builds(
        lambda f, args: f"({f} {' '.join(args)})", st.sampled_from(_FUNCTIONS), st.lists(inner, max_size=3)
    ),
    max_leaves=6,
)
_call = st.builds(
    lambda f, args: f"{{{{ {f} {' '.join(args)} }}}}",
    st.sampled_from(_FUNCTIONS),
    st.lists(_argument, max_size=3),
)
_pipeline = st.builds(
    lambda head, tail: "{{ " + " | ".join([head, *tail]) + " }}",
    _argument,
    st.lists(st.sampled_from(_FUNCTIONS), max_size=3),
)
_piece = st.recursive(
    st.one_of(st.text(max_size=8), _call, _pipeline),
    lambda inner: st.one_of(
        st.builds(
            lambda n, body: f"{{{{ range until {n} }}}}{body}{{{{ end }}}}", st.integers(-5, 10**9), inner
        ),
        st.builds(
            lambda c, a, b: f"{{{{ if {c} }}}}{a}{{{{ else }}}}{b}{{{{ end }}}}", _argument, inner, inner
        ),
        st.builds(lambda body: f'{{{{ define "d" }}}}{body}{{{{ end }}}}{{{{ template "d" . }}}}', inner),
        st.builds(lambda a, b: a + b, inner, inner),
    ),
    max_leaves=8,
)
_data = st.fixed_dictionaries(
    {
        "a": st.text(max_size=20),
        "b": st.sampled_from(["", "42", "-1", "aGVsbG8=", "true", "1e3"]),
        "my-key": st.text(max_size=5),
        "json": st.sampled_from(['{"foo":{"bar":"baz"}}', "[1,2]", "{", "null", '"s"']),
        "bin": st.binary(max_size=16).map(lambda b: b.decode("utf-8", "surrogateescape")),
    }
)


def _render_safely(engine: TemplateEngine, source: str, data: dict[str, str]) -> None:
    try:
        out = engine.render("prop", source, data)
    except TemplateError:
        return
    assert isinstance(out, str)
    assert len(out.encode("utf-8", "surrogateescape")) <= engine.limits.max_output_bytes


@settings(
    max_examples=300,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(source=_piece, data=_data)
def test_random_templates_never_crash_or_hang(
    quick: TemplateEngine, source: str, data: dict[str, str]
) -> None:
    _render_safely(quick, source, data)


@settings(max_examples=200, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.text(alphabet=string.printable + "{}{}|$.-é\udcff", max_size=60), data=_data)
def test_random_text_never_crashes(quick: TemplateEngine, source: str, data: dict[str, str]) -> None:
    _render_safely(quick, "{{" + source, data)
    _render_safely(quick, source, data)


@settings(max_examples=100, deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.binary(max_size=64))
def test_random_bytes_round_trip(engine: TemplateEngine, value: bytes) -> None:
    assert engine.render_bytes("k", "{{ .v }}", {"v": value}) == value
