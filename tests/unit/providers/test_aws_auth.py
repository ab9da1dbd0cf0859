"""Credential resolution of the aws provider with a fake KubeAccess and a fake STS."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from eso.errors import ProviderAuthError, SpecError
from eso.providers.aws import AWSProvider
from eso.providers.aws.auth import SESSION_NAME, resolve_credentials, session_tags
from eso.providers.aws.calls import ApiCaller
from eso.providers.aws.session import AWSEnvironment
from eso.providers.base import StoreContext, StoreKind, ValidationResult
from tests.unit.providers.kubefake import FakeKube

PROVIDER = AWSProvider(env={})
ROLE = "arn:aws:iam::123456789012:role/irsa"


class FakeSTS:
    def __init__(self, log: list[tuple[str, Any, dict[str, Any]]], signer: Any) -> None:
        self.log = log
        self.signer = signer

    def _creds(self, tag: str) -> dict[str, Any]:
        expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        return {
            "Credentials": {
                "AccessKeyId": f"AK-{tag}",
                "SecretAccessKey": "s",
                "SessionToken": "t",
                "Expiration": expiry,
            }
        }

    async def assume_role_with_web_identity(self, **params: Any) -> dict[str, Any]:
        self.log.append(("AssumeRoleWithWebIdentity", self.signer, params))
        return self._creds("web")

    async def assume_role(self, **params: Any) -> dict[str, Any]:
        self.log.append(("AssumeRole", self.signer, params))
        return self._creds(params["RoleArn"].rsplit("/", 1)[-1])


class FakeSession:
    async def get_credentials(self) -> Any:
        return None


class FakeFactory:
    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.environment = AWSEnvironment.from_env(env or {})
        self.session = FakeSession()
        self.log: list[tuple[str, Any, dict[str, Any]]] = []

    @contextlib.asynccontextmanager
    async def _client(self, signer: Any) -> AsyncIterator[FakeSTS]:
        yield FakeSTS(self.log, signer)

    def create(
        self,
        service: str,
        region: str,
        *,
        static: Any = None,
        credentials: Any = None,
        unsigned: bool = False,
    ) -> Any:
        assert service == "sts"
        return self._client("unsigned" if unsigned else static[0])


def ctx(
    raw: dict[str, Any],
    *,
    kind: StoreKind = StoreKind.SECRET_STORE,
    namespace: str | None = "team-a",
    consumer: str | None = None,
) -> StoreContext:
    return StoreContext(
        kind=kind,
        name="aws",
        namespace=namespace if kind is StoreKind.SECRET_STORE else None,
        spec=PROVIDER.parse_spec({"service": "SecretsManager", "region": "eu-west-1", **raw}),
        consumer_namespace=consumer,
    )


async def resolve(store: StoreContext, kube: FakeKube, factory: FakeFactory | None = None) -> Any:
    factory = factory or FakeFactory()
    return await resolve_credentials(store, store.spec, kube, factory, ApiCaller())  # type: ignore[arg-type]


SECRET_REF = {
    "auth": {
        "secretRef": {
            "accessKeyIDSecretRef": {"name": "creds", "key": "id"},
            "secretAccessKeySecretRef": {"name": "creds", "key": "secret"},
        }
    }
}


async def test_static_secret_ref_in_own_namespace() -> None:
    kube = FakeKube()
    kube.add_secret("team-a", "creds", {"id": b"AKIDEXAMPLE\n", "secret": b"s3cret"})
    creds = await resolve(ctx(SECRET_REF), kube)
    assert creds.mode == "static"
    assert creds.static == ("AKIDEXAMPLE", "s3cret", None)
    assert await creds.retrieve(FakeFactory()) is ValidationResult.READY


async def test_secret_ref_in_another_namespace_is_refused() -> None:
    kube = FakeKube()
    kube.add_secret("team-b", "creds", {"id": b"a", "secret": b"b"})
    raw = {
        "auth": {
            "secretRef": {
                **SECRET_REF["auth"]["secretRef"],
                "accessKeyIDSecretRef": {"name": "creds", "namespace": "team-b", "key": "id"},
            }
        }
    }
    with pytest.raises(SpecError, match='Secret "team-b/creds" is outside namespace "team-a"') as info:
        await resolve(ctx(raw), kube)
    assert info.value.field == "spec.provider.aws.auth.secretRef.accessKeyIDSecretRef"
    assert kube.reads == []


async def test_cluster_store_secret_ref_is_referent() -> None:
    kube = FakeKube()
    kube.add_secret("consumer", "creds", {"id": b"a", "secret": b"b"})
    store = ctx(SECRET_REF, kind=StoreKind.CLUSTER_SECRET_STORE)
    creds = await resolve(store, kube)
    assert creds.mode == "referent"
    assert await creds.retrieve(FakeFactory()) is ValidationResult.UNKNOWN
    served = ctx(SECRET_REF, kind=StoreKind.CLUSTER_SECRET_STORE, consumer="consumer")
    assert (await resolve(served, kube)).static == ("a", "b", None)


async def test_missing_key_in_secret_names_the_field() -> None:
    kube = FakeKube()
    raw = {
        "auth": {
            "secretRef": {
                "accessKeyIDSecretRef": {"name": "creds"},
                "secretAccessKeySecretRef": {"name": "creds", "key": "s"},
            }
        }
    }
    with pytest.raises(SpecError, match="key is required") as info:
        await resolve(ctx(raw), kube)
    assert info.value.field == "spec.provider.aws.auth.secretRef.accessKeyIDSecretRef.key"


JWT = {"auth": {"jwt": {"serviceAccountRef": {"name": "app", "audiences": ["extra-aud"]}}}}


async def test_jwt_web_identity_audiences_and_session_name() -> None:
    kube = FakeKube()
    kube.add_service_account("team-a", "app", {"eks.amazonaws.com/role-arn": ROLE})
    factory = FakeFactory()
    creds = await resolve(ctx(JWT), kube, factory)
    assert creds.mode == "refreshable"
    assert kube.token_requests == []  # nothing is fetched before first use
    assert await creds.retrieve(factory) is ValidationResult.READY
    assert kube.token_requests == [("team-a", "app", ["sts.amazonaws.com", "extra-aud"], 600)]
    op, signer, params = factory.log[0]
    assert (op, signer) == ("AssumeRoleWithWebIdentity", "unsigned")
    assert params == {"RoleArn": ROLE, "RoleSessionName": SESSION_NAME, "WebIdentityToken": kube.token}
    frozen = await creds.refreshable.get_frozen_credentials()
    assert frozen.access_key == "AK-web"


async def test_jwt_audience_annotation_replaces_the_default() -> None:
    kube = FakeKube()
    kube.add_service_account(
        "team-a", "app", {"eks.amazonaws.com/role-arn": ROLE, "eks.amazonaws.com/audience": "custom"}
    )
    creds = await resolve(ctx(JWT), kube)
    await creds.retrieve(FakeFactory())
    assert kube.token_requests[0][2] == ["custom", "extra-aud"]


async def test_service_account_without_role_annotation() -> None:
    kube = FakeKube()
    kube.add_service_account("team-a", "app", {})
    with pytest.raises(ProviderAuthError) as info:
        await resolve(ctx(JWT), kube)
    message = str(info.value)
    assert "an IAM role must be associated with service account app (namespace: team-a)" in message
    assert "kubectl annotate serviceaccount -n team-a app eks.amazonaws.com/role-arn=" in message


async def test_operator_service_account_is_accepted_with_a_warning() -> None:
    kube = FakeKube(operator_sa=("external-secrets", "external-secrets"))
    kube.add_service_account("external-secrets", "external-secrets", {"eks.amazonaws.com/role-arn": ROLE})
    raw = {
        "auth": {"jwt": {"serviceAccountRef": {"name": "external-secrets", "namespace": "external-secrets"}}}
    }
    creds = await resolve(ctx(raw, namespace="default"), kube)
    assert creds.mode == "refreshable"
    assert len(creds.warnings) == 1
    assert "operator's own ServiceAccount" in creds.warnings[0]


async def test_other_service_account_in_another_namespace_is_refused() -> None:
    kube = FakeKube(operator_sa=("external-secrets", "external-secrets"))
    kube.add_service_account("external-secrets", "other", {"eks.amazonaws.com/role-arn": ROLE})
    raw = {"auth": {"jwt": {"serviceAccountRef": {"name": "other", "namespace": "external-secrets"}}}}
    with pytest.raises(SpecError, match="outside namespace"):
        await resolve(ctx(raw, namespace="default"), kube)


async def test_role_chain_order_and_role_options() -> None:
    kube = FakeKube()
    kube.add_secret("team-a", "creds", {"id": b"AK-base", "secret": b"s"})
    raw = {
        **SECRET_REF,
        "additionalRoles": ["arn:aws:iam::1:role/hop1", "arn:aws:iam::2:role/hop2"],
        "role": "arn:aws:iam::3:role/final",
        "externalID": "ext-1",
        "sessionTags": [{"key": "team", "value": "a"}],
        "transitiveTagKeys": ["team"],
    }
    factory = FakeFactory()
    creds = await resolve(ctx(raw), kube, factory)
    frozen = await creds.refreshable.get_frozen_credentials()
    assert frozen.access_key == "AK-final"
    assert [(op, signer, p["RoleArn"]) for op, signer, p in factory.log] == [
        ("AssumeRole", "AK-base", "arn:aws:iam::1:role/hop1"),
        ("AssumeRole", "AK-hop1", "arn:aws:iam::2:role/hop2"),
        ("AssumeRole", "AK-hop2", "arn:aws:iam::3:role/final"),
    ]
    final = factory.log[-1][2]
    assert final["ExternalId"] == "ext-1"
    assert final["Tags"] == [{"Key": "team", "Value": "a"}]
    assert final["TransitiveTagKeys"] == ["team"]
    assert "ExternalId" not in factory.log[0][2]


async def test_no_auth_uses_environment_keys_then_default_chain() -> None:
    kube = FakeKube()
    factory = FakeFactory({"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "x"})
    creds = await resolve(ctx({}), kube, factory)
    assert creds.static == ("AKENV", "x", None)
    default = await resolve(ctx({}), kube, FakeFactory())
    assert default.mode == "default"
    with pytest.raises(ProviderAuthError, match="no AWS credentials found"):
        await default.retrieve(FakeFactory())


def test_session_tag_policies() -> None:
    simple = ctx(
        {"role": "r", "sessionTagsPolicy": "Simple", "sessionTags": [{"key": "x", "value": "y"}]},
        consumer="apps",
    )
    assert session_tags(simple.spec, simple) == [  # type: ignore[arg-type]
        {"Key": "esoNamespace", "Value": "apps"},
        {"Key": "esoStoreName", "Value": "aws"},
        {"Key": "esoStoreKind", "Value": "SecretStore"},
    ]
    custom = ctx(
        {"role": "r", "sessionTagsPolicy": "Custom", "customSessionTags": {"team": "a", "": "x", "empty": ""}}
    )
    assert session_tags(custom.spec, custom)[-1] == {"Key": "team", "Value": "a"}  # type: ignore[arg-type]
    assert len(session_tags(custom.spec, custom)) == 4  # type: ignore[arg-type]
