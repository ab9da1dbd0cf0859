"""Which values count as possibly secret, and their removal from messages."""

from __future__ import annotations

from eso.webhook.redact import clean, sensitive_strings


def test_collects_values_under_sensitive_keys_and_template_data() -> None:
    obj = {
        "spec": {
            "provider": {
                "fake": {"data": [{"key": "name-of-key", "value": "s3cret"}], "valueMap": {"a": "m4p"}}
            },
            "target": {"name": "target-secret", "template": {"data": {"x": "{{ .pw }}"}}},
            "templateFrom": [{"literal": "lit-value"}],
        }
    }
    found = sensitive_strings(obj)
    assert found == {"s3cret", "m4p", "{{ .pw }}", "lit-value"}
    assert "name-of-key" not in found
    assert "target-secret" not in found


def test_short_values_and_missing_objects_are_ignored() -> None:
    assert sensitive_strings({"spec": {"value": "ab"}}, None) == set()


def test_clean_replaces_every_occurrence() -> None:
    assert clean(["a s3cret b s3cret", "none"], {"s3cret"}) == ["a [redacted] b [redacted]", "none"]
    assert clean(["untouched"], set()) == ["untouched"]
