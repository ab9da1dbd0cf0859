"""PushSecret to AWS Secrets Manager (ESO ``secretsmanager.go`` PushSecret/DeleteSecret/SecretExists).

Push: ``DescribeSecret``; absent → ``CreateSecret`` (tags + ``managed-by``, description,
KMS key, initial token, replicas). Present without ``managed-by: external-secrets`` →
:class:`NotManagedError`. Otherwise read the current value, set ``property`` inside its
JSON when given, sync tags (only when metadata has tags), resource policy and replicas
(only when metadata has them), and ``PutSecretValue`` only if the value changed.
A managed secret scheduled for deletion is restored first.

Delete: only a managed secret, and with ``property`` only that property (the secret goes
when nothing else is left); ``forceDeleteWithoutRecovery`` / ``recoveryWindowInDays``.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from eso.errors import CapabilityError, NotManagedError, ProviderError, SecretNotFound
from eso.providers._gjson import get_property
from eso.providers.aws import pushdata
from eso.providers.aws.gojson import delete_path, set_string
from eso.providers.aws.metadata import SecretsManagerMetadata, parse_secrets_manager
from eso.providers.base import PushEntry, PushSource

if TYPE_CHECKING:
    from eso.providers.aws.secretsmanager import SecretsManagerClient

__all__ = ["INITIAL_VERSION", "delete_secret", "push_secret", "secret_exists"]

INITIAL_VERSION = "00000000-0000-0000-0000-000000000001"
_JSON_REQUIRED = "PushSecret for aws secrets manager with a pushSecretData property requires a json secret"


def _value_params(value: bytes, meta: SecretsManagerMetadata) -> dict[str, Any]:
    if meta.secret_push_format == "string":
        return {"SecretString": pushdata.text_of(value)}
    return {"SecretBinary": value}


def _current_payload(response: dict[str, Any] | None) -> bytes | None:
    if response is None:
        return None
    if response.get("SecretBinary") is not None:
        return bytes(response["SecretBinary"])
    if response.get("SecretString") is not None:
        return str(response["SecretString"]).encode("utf-8")
    return None


def _with_property(current: bytes | None, prop: str, value: bytes) -> bytes:
    text = pushdata.text_of(current) if current is not None else ""
    try:
        return set_string(text, prop, pushdata.text_of(value)).encode("utf-8")
    except ValueError:
        raise ProviderError(_JSON_REQUIRED) from None


async def _policy_document(
    client: SecretsManagerClient, source: PushSource, meta: SecretsManagerMetadata
) -> str:
    assert meta.resource_policy is not None
    ref = meta.resource_policy.policy_source_ref
    if ref.kind != "Secret":
        raise CapabilityError(
            "resourcePolicy.policySourceRef kind ConfigMap is not supported yet: use kind Secret"
        )
    raw = await client.kube.read_secret_key(source.namespace, ref.name, ref.key)
    return pushdata.text_of(raw).strip()


async def _create(
    client: SecretsManagerClient, name: str, value: bytes, meta: SecretsManagerMetadata, source: PushSource
) -> None:
    tags = pushdata.desired_tags(meta.tags)
    params: dict[str, Any] = {
        "Name": name,
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "Description": meta.description,
        "ClientRequestToken": INITIAL_VERSION,
        "KmsKeyId": meta.kms_key_id,
        **_value_params(value, meta),
    }
    if meta.replication_locations:
        params["AddReplicaRegions"] = [
            {"Region": region, "KmsKeyId": meta.kms_key_id} for region in meta.replication_locations
        ]
    await client.call("CreateSecret", sensitive=(value,), **params)
    if meta.resource_policy is not None:
        document = await _policy_document(client, source, meta)
        if document:
            await _put_policy(client, name, document, meta)


async def _put_policy(
    client: SecretsManagerClient, name: str, document: str, meta: SecretsManagerMetadata
) -> None:
    assert meta.resource_policy is not None
    params: dict[str, Any] = {"SecretId": name, "ResourcePolicy": document}
    if meta.resource_policy.block_public_policy is not None:
        params["BlockPublicPolicy"] = meta.resource_policy.block_public_policy
    await client.call("PutResourcePolicy", **params)


async def _sync_policy(
    client: SecretsManagerClient, name: str, source: PushSource, meta: SecretsManagerMetadata
) -> None:
    if meta.resource_policy is None:
        return  # eso leaves policies it was not asked to manage alone
    document = await _policy_document(client, source, meta)
    current = await client.call("GetResourcePolicy", SecretId=name)
    current_text = current.get("ResourcePolicy") or ""
    if not document:
        if current_text:
            await client.call("DeleteResourcePolicy", SecretId=name)
        return
    try:
        same = bool(current_text) and json.loads(current_text) == json.loads(document)
    except ValueError:
        same = False
    if not same:
        await _put_policy(client, name, document, meta)


async def _sync_tags(
    client: SecretsManagerClient, name: str, described: dict[str, Any], meta: SecretsManagerMetadata
) -> None:
    if not meta.tags:
        return
    desired = pushdata.desired_tags(meta.tags)
    remove, changed = pushdata.tag_changes(pushdata.tags_from_list(described.get("Tags")), desired)
    if remove:
        await client.call("UntagResource", SecretId=name, TagKeys=remove)
    if changed:
        await client.call(
            "TagResource", SecretId=name, Tags=[{"Key": k, "Value": v} for k, v in desired.items()]
        )


async def _sync_replicas(
    client: SecretsManagerClient, name: str, described: dict[str, Any], meta: SecretsManagerMetadata
) -> None:
    if meta.replication_locations is None:
        return
    current = {str(r.get("Region")) for r in described.get("ReplicationStatus") or []}
    desired = set(meta.replication_locations)
    extra = sorted(current - desired)
    missing = sorted(desired - current)
    if extra:
        await client.call("RemoveRegionsFromReplication", SecretId=name, RemoveReplicaRegions=extra)
    if missing:
        kms = described.get("KmsKeyId") or meta.kms_key_id
        await client.call(
            "ReplicateSecretToRegions",
            SecretId=name,
            AddReplicaRegions=[{"Region": region, "KmsKeyId": kms} for region in missing],
        )


async def push_secret(client: SecretsManagerClient, source: PushSource, entry: PushEntry) -> None:
    """Create or update the remote secret of ``entry``."""
    meta = parse_secrets_manager(entry.metadata)
    value = pushdata.selected_value(source, entry, base64_values=False, escape_html=False)
    name = client.name(entry.remote_key)
    try:
        described = await client.call("DescribeSecret", SecretId=name)
    except SecretNotFound:
        if entry.property:
            value = _with_property(None, entry.property, value)
        await _create(client, name, value, meta, source)
        return
    if not pushdata.is_managed(pushdata.tags_from_list(described.get("Tags"))):
        raise NotManagedError("secret not managed by external-secrets")
    if described.get("DeletedDate"):
        await client.call("RestoreSecret", SecretId=name)
    current: dict[str, Any] | None = None
    if described.get("VersionIdsToStages"):
        try:
            current = await client.call("GetSecretValue", SecretId=name)
        except SecretNotFound:
            current = None
    existing = _current_payload(current)
    if entry.property:
        value = _with_property(existing, entry.property, value)
    await _sync_tags(client, name, described, meta)
    await _sync_policy(client, name, source, meta)
    await _sync_replicas(client, name, described, meta)
    if current is not None and (
        (current.get("SecretBinary") is not None and bytes(current["SecretBinary"]) == value)
        or (current.get("SecretString") is not None and str(current["SecretString"]).encode("utf-8") == value)
    ):
        return
    token = str(uuid.uuid4()) if current is not None else INITIAL_VERSION
    await client.call(
        "PutSecretValue",
        sensitive=(value,),
        SecretId=name,
        ClientRequestToken=token,
        **_value_params(value, meta),
    )


def _delete_params(client: SecretsManagerClient, arn: str) -> dict[str, Any]:
    params: dict[str, Any] = {"SecretId": arn}
    options = client.spec.secrets_manager
    if options is not None and options.force_delete_without_recovery:
        params["ForceDeleteWithoutRecovery"] = True
    elif options is not None and options.recovery_window_in_days:
        params["RecoveryWindowInDays"] = options.recovery_window_in_days
    return params


async def delete_secret(client: SecretsManagerClient, entry: PushEntry) -> None:
    """Delete what ``entry`` pushed; absent, scheduled or unmanaged secrets are left alone."""
    name = client.name(entry.remote_key)
    try:
        described = await client.call("DescribeSecret", SecretId=name)
    except SecretNotFound:
        return
    if described.get("DeletedDate") or not pushdata.is_managed(
        pushdata.tags_from_list(described.get("Tags"))
    ):
        return
    if entry.property:
        try:
            current = await client.call("GetSecretValue", SecretId=name)
        except SecretNotFound:
            current = None
        existing = _current_payload(current)
        if existing is not None:
            try:
                remaining, removed = delete_path(pushdata.text_of(existing), entry.property)
            except ValueError:
                remaining, removed = "", False
            if not removed:
                return
            if remaining.strip() not in ("{}", ""):
                fmt = (
                    {"SecretString": remaining}
                    if current and current.get("SecretString") is not None
                    else {"SecretBinary": remaining.encode("utf-8")}
                )
                await client.call(
                    "PutSecretValue",
                    sensitive=(existing,),
                    SecretId=name,
                    ClientRequestToken=str(uuid.uuid4()),
                    **fmt,
                )
                return
    regions = [str(r.get("Region")) for r in described.get("ReplicationStatus") or []]
    if regions:
        await client.call("RemoveRegionsFromReplication", SecretId=name, RemoveReplicaRegions=regions)
    await client.call("DeleteSecret", **_delete_params(client, str(described.get("ARN") or name)))


async def secret_exists(client: SecretsManagerClient, entry: PushEntry) -> bool:
    """True when the secret has a current value (and, with ``property``, that property)."""
    name = client.name(entry.remote_key)
    try:
        response = await client.call("GetSecretValue", SecretId=name)
    except SecretNotFound:
        return False
    if not entry.property:
        return True
    payload = _current_payload(response) or b""
    return get_property(payload, entry.property) is not None
