"""ClusterGenerator virtualisation, the group check, the registry and the built-in kinds."""

from __future__ import annotations

import uuid

import pytest

from eso.api.externalsecret import GeneratorRef
from eso.api.generators import FakeSpec, GeneratorKind, UUIDSpec
from eso.controllers.generators import GenerateRequest, GeneratorImpl, builtin_registry, virtualize
from eso.controllers.generators.resolve import check_group, controller_of
from eso.errors import SpecError


def _cluster_generator(kind: str, generator: dict[str, object]) -> dict[str, object]:
    return {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "ClusterGenerator",
        "metadata": {"name": "shared", "uid": "u-1", "resourceVersion": "7"},
        "spec": {"kind": kind, "generator": generator},
    }


def test_cluster_generator_becomes_a_namespaced_generator_in_the_consumer_namespace() -> None:
    spec = {"length": 12, "noUpper": True}
    virtual = virtualize(_cluster_generator("Password", {"passwordSpec": spec}), "team-a")
    assert virtual == {
        "apiVersion": "generators.external-secrets.io/v1alpha1",
        "kind": "Password",
        "metadata": {"name": "shared", "namespace": "team-a", "uid": "u-1", "resourceVersion": "7"},
        "spec": spec,
    }
    assert virtualize(_cluster_generator("UUID", {"uuidSpec": {}}), "b")["spec"] == {}
    fake = virtualize(_cluster_generator("Fake", {"fakeSpec": {"controller": "x", "data": {}}}), "b")
    assert controller_of(fake) == "x"


@pytest.mark.parametrize(
    ("kind", "generator", "field", "fragment"),
    [
        ("Password", {"uuidSpec": {}}, "spec.generator", "set exactly passwordSpec (found uuidSpec)"),
        ("Password", {}, "spec.generator", "found nothing"),
        ("UUID", {"uuidSpec": {}, "fakeSpec": {}}, "spec.generator", "found fakeSpec, uuidSpec"),
        ("Nope", {"uuidSpec": {}}, "spec.kind", 'unknown generator kind "Nope"'),
        ("ClusterGenerator", {}, "spec.kind", "cannot wrap"),
        ("Password", {"passwordSpec": "x"}, "spec.generator.passwordSpec", "must be an object"),
    ],
)
def test_inconsistent_cluster_generators_are_refused(
    kind: str, generator: dict[str, object], field: str, fragment: str
) -> None:
    with pytest.raises(SpecError) as err:
        virtualize(_cluster_generator(kind, generator), "ns")
    assert err.value.field == field
    assert fragment in err.value.message


def test_generator_ref_group_must_be_the_generators_group() -> None:
    check_group(GeneratorRef(kind=GeneratorKind.PASSWORD, name="p"), "f")
    with pytest.raises(SpecError) as err:
        check_group(GeneratorRef(api_version="example.com/v1", kind=GeneratorKind.PASSWORD, name="p"), "f")
    assert err.value.field == "f.apiVersion"
    assert "generators.external-secrets.io" in err.value.message


def test_controller_of_reads_spec_controller() -> None:
    assert controller_of({"spec": {"controller": "dev"}}) == "dev"
    assert controller_of({"spec": {}}) == ""
    assert controller_of({}) == ""


def test_builtin_registry_runs_password_uuid_and_fake() -> None:
    registry = builtin_registry()
    assert registry.kinds() == ["ClusterGenerator", "Fake", "Password", "UUID"]
    assert registry.get(GeneratorKind.SSH_KEY) is None
    uuid_impl = registry.get(GeneratorKind.UUID)
    assert uuid_impl is not None
    wrapper = GeneratorImpl(
        GeneratorKind.CLUSTER_GENERATOR, uuid_impl.resource, uuid_impl.spec_model, uuid_impl.generate
    )
    with pytest.raises(ValueError, match="wrapper"):
        registry.register(wrapper)


async def test_uuid_is_a_random_version_4_uuid() -> None:
    impl = builtin_registry().get(GeneratorKind.UUID)
    assert impl is not None
    first = await impl.generate(UUIDSpec(), GenerateRequest("ns"))
    second = await impl.generate(UUIDSpec(), GenerateRequest("ns"))
    assert list(first) == ["uuid"]
    assert uuid.UUID(first["uuid"].decode()).version == 4
    assert first != second


async def test_fake_returns_its_data_verbatim() -> None:
    impl = builtin_registry().get(GeneratorKind.FAKE)
    assert impl is not None
    out = await impl.generate(FakeSpec(data={"user": "admin", "b": "x y"}), GenerateRequest("ns"))
    assert out == {"user": b"admin", "b": b"x y"}
