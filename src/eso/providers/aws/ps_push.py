"""PushSecret to AWS Parameter Store (ESO ``parameterstore.go`` PushSecret/DeleteSecret/SecretExists).

Push: ``GetParameter`` (decrypted). Absent → ``PutParameter(Overwrite=false)`` with the
user's tags plus ``managed-by``. Present without ``managed-by: external-secrets`` →
:class:`NotManagedError`. Same value → nothing is written. Otherwise
``PutParameter(Overwrite=true)`` and, when metadata has tags, the tags are synced.
``remoteRef.property`` is ignored, as in ESO. Whole-Secret pushes send base64 values
unless ``encodeAsDecoded``.

Delete: only a managed parameter (``ListTagsForResource`` then ``DeleteParameter``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from eso.errors import NotManagedError, ProviderError, SecretNotFound
from eso.providers.aws import pushdata
from eso.providers.aws.metadata import ParameterStoreMetadata, parse_parameter_store
from eso.providers.base import PushEntry, PushSource

if TYPE_CHECKING:
    from eso.providers.aws.parameterstore import ParameterStoreClient

__all__ = ["delete_secret", "push_secret", "secret_exists"]


def _put_params(name: str, value: str, meta: ParameterStoreMetadata, *, overwrite: bool) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Name": name,
        "Value": value,
        "Type": meta.secret_type,
        "Description": meta.description,
        "Overwrite": overwrite,
    }
    if meta.secret_type == "SecureString":
        params["KeyId"] = meta.kms_key_id
    if meta.tier.type == "Advanced":
        params["Tier"] = "Advanced"
        if meta.tier.policies is not None:
            params["Policies"] = json.dumps(meta.tier.policies, sort_keys=True, separators=(",", ":"))
    return params


async def _sync_tags(
    client: ParameterStoreClient, name: str, current: dict[str, str], meta: ParameterStoreMetadata
) -> None:
    if not meta.tags:
        return
    desired = pushdata.desired_tags(meta.tags)
    remove, changed = pushdata.tag_changes(current, desired)
    if remove:
        await client.call("RemoveTagsFromResource", ResourceType="Parameter", ResourceId=name, TagKeys=remove)
    if changed:
        await client.call(
            "AddTagsToResource",
            ResourceType="Parameter",
            ResourceId=name,
            Tags=[{"Key": k, "Value": v} for k, v in desired.items()],
        )


async def push_secret(client: ParameterStoreClient, source: PushSource, entry: PushEntry) -> None:
    """Create or update the parameter of ``entry``."""
    meta = parse_parameter_store(entry.metadata)
    raw = pushdata.selected_value(source, entry, base64_values=not meta.encode_as_decoded, escape_html=True)
    value = pushdata.text_of(raw)
    name = client.name(entry.remote_key)
    try:
        existing = await client.call("GetParameter", Name=name, WithDecryption=True)
    except SecretNotFound:
        params = _put_params(name, value, meta, overwrite=False)
        params["Tags"] = [{"Key": k, "Value": v} for k, v in pushdata.desired_tags(meta.tags).items()]
        await client.call("PutParameter", sensitive=(value,), **params)
        return
    tags = await client.tags(name)
    if not pushdata.is_managed(tags):
        raise NotManagedError("secret not managed by external-secrets")
    current = (existing.get("Parameter") or {}).get("Value")
    if current == "sensitive":
        raise ProviderError("unable to compare 'sensitive' result, ensure to request a decrypted value")
    if current == value:
        return
    await client.call("PutParameter", sensitive=(value,), **_put_params(name, value, meta, overwrite=True))
    await _sync_tags(client, name, tags, meta)


async def delete_secret(client: ParameterStoreClient, entry: PushEntry) -> None:
    """Delete the parameter of ``entry`` if it exists and is managed; otherwise do nothing."""
    name = client.name(entry.remote_key)
    try:
        tags = await client.tags(name)
    except SecretNotFound:
        return
    if not pushdata.is_managed(tags):
        return
    try:
        await client.call("DeleteParameter", Name=name)
    except SecretNotFound:
        return


async def secret_exists(client: ParameterStoreClient, entry: PushEntry) -> bool:
    """True when the parameter exists."""
    name = client.name(entry.remote_key)
    try:
        await client.call("GetParameter", Name=name)
    except SecretNotFound:
        return False
    return True
