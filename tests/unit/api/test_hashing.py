"""ESO's hashes [compat]: the reference values of eso-api §2.6 and Go's %+v formatting."""

from __future__ import annotations

from eso.api.hashing import (
    created_by,
    field_manager_for,
    go_format_bytes_map,
    go_format_string_map,
    metadata_field_manager_for,
    object_hash_of_data,
    synced_resource_version,
)


def test_data_hash_of_one_key_matches_the_reference() -> None:
    assert go_format_bytes_map({"foo": b"bar"}) == "map[foo:[98 97 114]]"
    assert object_hash_of_data({"foo": b"bar"}) == "f2a604b87eb0cf673761e8cfea850f901fe73a3d1b2f338802107f36"


def test_data_hash_of_empty_data_matches_the_reference() -> None:
    assert go_format_bytes_map({}) == "map[]"
    assert object_hash_of_data({}) == "74a974446e359fb3e6baff9bd0058950e6edd0f040888d9989b0a11b"


def test_bytes_map_sorts_keys_and_prints_empty_values_as_empty_brackets() -> None:
    assert go_format_bytes_map({"b": b"", "a": b"\x00\xff"}) == "map[a:[0 255] b:[]]"


def test_created_by_matches_the_reference() -> None:
    assert created_by("default", "my-es") == "b8464376b5fe3535e690594280bfe59b60be2603cb6cbb6d6c8bcbb4"


def test_synced_resource_version_without_metadata_matches_the_reference() -> None:
    assert (
        synced_resource_version(1, None, None) == "1-f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2"
    )
    assert synced_resource_version(7, {}, {}).endswith(
        "-f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2"
    )


def test_synced_resource_version_changes_with_labels_and_annotations() -> None:
    base = synced_resource_version(1, {}, {})
    assert synced_resource_version(1, {"a": "b"}, {}) != base
    assert synced_resource_version(1, {}, {"force-sync": "1"}) != base
    assert synced_resource_version(2, {}, {}).split("-")[1] == base.split("-")[1]


def test_string_map_format() -> None:
    assert go_format_string_map({"z": "1", "a": "2"}) == "map[a:2 z:1]"
    assert go_format_string_map(None) == "map[]"


def test_field_manager_for_short_names_is_the_plain_prefix() -> None:
    assert field_manager_for("my-es") == "externalsecrets.external-secrets.io/my-es"
    name27 = "a" * 27
    assert field_manager_for(name27) == f"externalsecrets.external-secrets.io/{name27}"
    assert len(field_manager_for(name27)) == 63


def test_field_manager_for_long_names_uses_the_sha3_form() -> None:
    name28 = "a" * 28
    manager = field_manager_for(name28)
    assert manager.startswith("externalsecrets.external-secrets.io/sha3/")
    assert len(manager.rsplit("/", 1)[1]) == 56


def test_metadata_field_manager_keeps_eso_quirk_for_names_of_28_to_63_characters() -> None:
    assert metadata_field_manager_for("a" * 40) == "externalsecrets.external-secrets.io/" + "a" * 40
    assert metadata_field_manager_for("a" * 64) == field_manager_for("a" * 64)
