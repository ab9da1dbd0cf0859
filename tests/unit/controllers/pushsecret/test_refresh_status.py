"""When a PushSecret pushes, the source fingerprint, and the status merge patch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eso.controllers.pushsecret.refresh import compose_version, should_push, split_version
from eso.controllers.pushsecret.sources import fingerprint
from eso.controllers.pushsecret.status import StatusUpdate, merge_patch

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
HOUR = 3600.0


def test_synced_version_carries_the_spec_and_source_parts() -> None:
    assert compose_version("3-abc", "f00") == "3-abc/f00"
    assert split_version("3-abc/f00") == ("3-abc", "f00")
    assert split_version("3-abc") == ("3-abc", ""), "ESO's plain form reads as an unknown source"
    assert split_version(None) == ("", "")


def test_should_push() -> None:
    synced = compose_version("1-h", "src1")
    recent = NOW - timedelta(minutes=5)
    assert should_push(HOUR, None, "1-h", "src1", None, NOW), "never synced"
    assert not should_push(HOUR, synced, "1-h", "src1", recent, NOW), "nothing changed, not due"
    assert should_push(HOUR, synced, "2-h", "src1", recent, NOW), "spec changed"
    assert should_push(HOUR, synced, "1-h", "src2", recent, NOW), "source changed"
    assert should_push(HOUR, synced, "1-h", "src1", NOW - timedelta(hours=2), NOW), "due"
    assert should_push(HOUR, synced, "1-h", "src1", NOW + timedelta(minutes=1), NOW), (
        "refreshTime in the future"
    )
    assert should_push(HOUR, "1-h", "1-h", "src1", recent, NOW), "ESO's version: source unknown, push once"


def test_interval_zero_pushes_once_but_a_spec_change_pushes_again() -> None:
    synced = compose_version("1-h", "src1")
    old = NOW - timedelta(days=3)
    assert not should_push(0, synced, "1-h", "src2", old, NOW), "push once: not even a source change"
    assert should_push(0, synced, "2-h", "src1", old, NOW), (
        "unlike an ExternalSecret, a spec change re-pushes"
    )


def test_fingerprint_uses_names_and_resource_versions_never_data() -> None:
    a = {"metadata": {"name": "a", "resourceVersion": "10"}, "data": {"k": "c2VjcmV0"}}
    b = {"metadata": {"name": "b", "resourceVersion": "11"}}
    changed_data_same_rv = {**a, "data": {"k": "b3RoZXI="}}
    assert fingerprint([a, b]) == fingerprint([b, a])
    assert fingerprint([a]) == fingerprint([changed_data_same_rv])
    assert fingerprint([a]) != fingerprint([{"metadata": {"name": "a", "resourceVersion": "12"}}])
    assert fingerprint([]) == ""
    assert len(fingerprint([a])) == 16


def test_merge_patch_removes_what_left_and_replaces_lists() -> None:
    old = {
        "refreshTime": "t1",
        "conditions": [{"type": "Ready", "status": "True"}],
        "syncedPushSecrets": {
            "SecretStore/a": {"x": {"match": {}}, "y": {"match": {}}},
            "SecretStore/b": {"z": {}},
        },
    }
    new = {
        "refreshTime": "t2",
        "conditions": [{"type": "Ready", "status": "False"}],
        "syncedPushSecrets": {"SecretStore/a": {"x": {"match": {}}}},
    }
    assert merge_patch(old, new) == {
        "refreshTime": "t2",
        "conditions": [{"type": "Ready", "status": "False"}],
        "syncedPushSecrets": {"SecretStore/a": {"y": None}, "SecretStore/b": None},
    }
    assert merge_patch(new, new) == {}


def test_status_update_reports_changes_only_when_there_are_some() -> None:
    raw = {
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Synced", "message": "m"}]}
    }
    update = StatusUpdate(raw)
    assert not update.ready(True, "Synced", "m")
    assert not update.changed
    update.pushed("t", "1-h/f")
    assert update.changed
    update.set_synced({})
    assert "syncedPushSecrets" not in update.new
