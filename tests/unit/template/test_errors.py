"""Template errors: they name the template and the position, and never hold a secret value."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eso.errors import SpecError, TemplateError
from eso.template import TemplateEngine
from eso.template.scrub import REDACTED, scrub


def test_parse_error_names_key_and_position(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError) as caught:
        engine.render("tls.crt", "line one\n{{ .one ", {})
    message = str(caught.value)
    assert message.startswith("unable to parse template at key tls.crt: template: tls.crt:2:")
    assert isinstance(caught.value, SpecError)
    assert not caught.value.temporary


def test_execution_error_names_key_and_position(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError) as caught:
        engine.render("config", "ok\n  {{ .missing }}", {"one": "1"})
    message = str(caught.value)
    assert message.startswith(
        'unable to execute template at key config: template: config:2:6: executing "config":'
    )
    assert "missing" in message


def test_error_inside_a_define_names_it(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError, match='executing "inner"'):
        engine.render("k", '{{ define "inner" }}{{ .nope }}{{ end }}{{ template "inner" . }}', {})


SECRETS = [
    "hunter2-correct-horse",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n",
    "p@ss:w0rd\"'\\",
]


@pytest.mark.parametrize(
    "source",
    [
        "{{ fail .secret }}",
        '{{ fail (printf "bad value %q" .secret) }}',
        '{{ mustRegexMatch (print "(" .secret) "x" }}',
        "{{ .secret | int | fail }}",
        "{{ mustFromJson .secret }}",
        "{{ semver .secret }}",
        "{{ toDate .secret .secret | mustToDate .secret }}",
        "{{ fail (toJson .secret) }}",
        "{{ fail (quote .secret) }}",
        "{{ urlParse .secret | fail }}",
    ],
)
@pytest.mark.parametrize("secret", SECRETS)
def test_secret_values_never_appear_in_errors(engine: TemplateEngine, source: str, secret: str) -> None:
    with pytest.raises(TemplateError) as caught:
        engine.render("k", source, {"secret": secret})
    text = str(caught.value)
    assert secret not in text
    for line in secret.splitlines():
        if len(line) >= 4:
            assert line not in text
    assert caught.value.__cause__ is None


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(secret=st.text(alphabet=string.printable, min_size=3, max_size=40))
def test_fail_with_any_secret_is_scrubbed(engine: TemplateEngine, secret: str) -> None:
    with pytest.raises(TemplateError) as caught:
        engine.render("k", "{{ fail .secret }}", {"secret": secret})
    assert secret not in caught.value.message


def test_scrub_short_values_only_when_alone() -> None:
    assert scrub("function 'fail' failed: ab", ["ab"]) == f"function 'fail' failed: {REDACTED}"
    assert scrub("about abc", ["ab"]) == "about abc"
    assert scrub("x [redacted] y", ["red", "redacted"]) == f"x [{REDACTED}] y"
    assert scrub("a\\nb and 'a\\nb'", ["a\nb"]) == f"{REDACTED} and '{REDACTED}'"


def test_positions_survive_short_values(engine: TemplateEngine) -> None:
    with pytest.raises(TemplateError) as caught:
        engine.render("k", "{{ fail .v }}", {"v": "1"})
    assert caught.value.message.startswith(
        'unable to execute template at key k: template: k:1:4: executing "k":'
    )
    assert caught.value.message.endswith(REDACTED)
