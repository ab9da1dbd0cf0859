"""The target Secret: what it should contain, whether it may be written, and the write.

ESO's mutation function (eso-api §2.5) computed client-side, then written with
server-side apply under the ExternalSecret's own field manager
(``externalsecrets.external-secrets.io/<name>``), so that keys, labels and annotations
this ExternalSecret stops producing are removed by the API server while other
writers' fields stay. Under Owner and Orphan the Secret holds exactly the provider
data: keys added by someone else are removed in a second, resourceVersion-guarded
patch.

Safety (differs from ESO): Owner or Orphan never take over an existing Secret that eso
does not manage unless the ExternalSecret opts in with the annotation
:data:`ADOPT_ANNOTATION`; the reconcile reports why instead.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from eso.api import constants
from eso.api.externalsecret import ExternalSecret
from eso.api.hashing import created_by, field_manager_for, object_hash_of_data
from eso.api.policies import CreationPolicy

__all__ = [
    "ADOPT_ANNOTATION",
    "DesiredSecret",
    "OwnershipError",
    "apply_body",
    "check_ownership",
    "decode_data",
    "extra_keys_patch",
    "is_secret_valid",
    "needs_write",
    "owned_fields",
    "summarize_managed_fields",
]

ADOPT_ANNOTATION = "external-secrets.io/adopt-existing-secret"
"""Set to ``"true"`` on an ExternalSecret to let it take over an existing, unmanaged Secret."""

_SKIPPED_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
OWNED_KEY = "esoOwned"
"""Where the Secret informer keeps the compact managedFields summary (see ``summarize_managed_fields``)."""


class OwnershipError(Exception):
    """The Secret may not be written by this ExternalSecret; the message says why and how to fix it."""


@dataclass
class DesiredSecret:
    """What the Secret should hold after this reconcile."""

    name: str
    namespace: str
    type: str | None
    data: dict[str, bytes]
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    owner: dict[str, Any] | None = None
    immutable: bool = False
    final_data: dict[str, bytes] = field(default_factory=dict)


def decode_data(secret: Mapping[str, Any] | None) -> dict[str, bytes]:
    """``.data`` of a raw Secret, base64-decoded."""
    if not secret:
        return {}
    return {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}


def owned_fields(secret: Mapping[str, Any] | None, manager: str) -> dict[str, set[str]]:
    """Data keys, labels and annotations that ``manager`` owns on ``secret``."""
    owned = ((secret or {}).get("metadata") or {}).get(OWNED_KEY) or {}
    mine = owned.get(manager) or {}
    return {part: set(mine.get(part) or ()) for part in ("data", "labels", "annotations")}


def _is_ours(secret: Mapping[str, Any], es: ExternalSecret) -> bool:
    meta = secret.get("metadata") or {}
    labels = meta.get("labels") or {}
    if labels.get(constants.LABEL_CREATED_BY) == created_by(es.namespace, es.name):
        return True
    for ref in meta.get("ownerReferences") or []:
        if ref.get("uid") == es.metadata.uid:
            return True
    manager = field_manager_for(es.name)
    return any(owned_fields(secret, manager).values())


def check_ownership(secret: Mapping[str, Any] | None, es: ExternalSecret) -> None:
    """Raise OwnershipError when ``es`` must not write ``secret``."""
    if secret is None:
        return
    meta = secret.get("metadata") or {}
    for ref in meta.get("ownerReferences") or []:
        if (
            ref.get("controller")
            and ref.get("kind") == "ExternalSecret"
            and str(ref.get("apiVersion", "")).startswith("external-secrets.io/")
        ) and ref.get("name") != es.name:
            raise OwnershipError(
                f'target is owned by another ExternalSecret: Secret "{es.namespace}/{meta.get("name")}" '
                f'is controlled by ExternalSecret "{ref.get("name")}"'
            )
    policy = es.spec.target.creation_policy
    if policy not in (CreationPolicy.OWNER, CreationPolicy.ORPHAN):
        return
    if _is_ours(secret, es) or es.metadata.annotations.get(ADOPT_ANNOTATION) == "true":
        return
    raise OwnershipError(
        f'Secret "{es.namespace}/{meta.get("name")}" already exists and is not managed by this '
        f"ExternalSecret; creationPolicy {policy.value} would replace its data. To let this ExternalSecret "
        f'adopt it, annotate the ExternalSecret with {ADOPT_ANNOTATION}="true"; or use creationPolicy '
        "Merge to add keys to it, or choose another spec.target.name."
    )


def is_secret_valid(secret: Mapping[str, Any] | None, es: ExternalSecret) -> bool:
    """ESO's ``isSecretValid``: the Secret exists, is labelled managed and its data hash matches."""
    if es.spec.target.creation_policy == CreationPolicy.ORPHAN:
        return True
    if secret is None:
        return False
    meta = secret.get("metadata") or {}
    if (meta.get("labels") or {}).get(constants.LABEL_MANAGED) != "true":
        return False
    expected = (meta.get("annotations") or {}).get(constants.ANNOTATION_DATA_HASH)
    return expected == object_hash_of_data(decode_data(secret))


def metadata_without_template(es: ExternalSecret) -> tuple[dict[str, str], dict[str, str]]:
    """ESO copies every label and annotation of the ExternalSecret when there is no template."""
    annotations = {k: v for k, v in es.metadata.annotations.items() if k not in _SKIPPED_ANNOTATIONS}
    return dict(es.metadata.labels), annotations


def owner_reference(es: ExternalSecret) -> dict[str, Any]:
    """The controller ownerReference an Owner Secret carries."""
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "name": es.name,
        "uid": es.metadata.uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def finish(desired: DesiredSecret, es: ExternalSecret) -> DesiredSecret:
    """Add eso's markers: managed label, created-by (Owner), data hash, owner reference."""
    desired.labels[constants.LABEL_MANAGED] = "true"
    if es.spec.target.creation_policy == CreationPolicy.OWNER:
        desired.labels[constants.LABEL_CREATED_BY] = created_by(es.namespace, es.name)
        desired.owner = owner_reference(es)
    desired.annotations[constants.ANNOTATION_DATA_HASH] = object_hash_of_data(desired.final_data)
    desired.immutable = es.spec.target.immutable
    return desired


def apply_body(desired: DesiredSecret) -> dict[str, Any]:
    """The server-side apply configuration for ``desired``."""
    meta: dict[str, Any] = {"name": desired.name, "namespace": desired.namespace}
    if desired.labels:
        meta["labels"] = dict(sorted(desired.labels.items()))
    if desired.annotations:
        meta["annotations"] = dict(sorted(desired.annotations.items()))
    if desired.owner:
        meta["ownerReferences"] = [desired.owner]
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": meta}
    if desired.type:
        body["type"] = desired.type
    body["data"] = {k: base64.b64encode(v).decode() for k, v in sorted(desired.data.items())}
    if desired.immutable:
        body["immutable"] = True
    return body


def needs_write(
    existing: Mapping[str, Any] | None, desired: DesiredSecret, manager: str, es_uid: str
) -> bool:
    """False when the Secret already is exactly what this ExternalSecret would apply."""
    if existing is None:
        return True
    meta = existing.get("metadata") or {}
    if decode_data(existing) != desired.final_data:
        return True
    if desired.type and existing.get("type", "Opaque") != desired.type:
        return True
    if bool(existing.get("immutable")) != desired.immutable and desired.immutable:
        return True
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    if any(labels.get(k) != v for k, v in desired.labels.items()):
        return True
    if any(annotations.get(k) != v for k, v in desired.annotations.items()):
        return True
    owned = owned_fields(existing, manager)
    if owned["labels"] - set(desired.labels) or owned["annotations"] - set(desired.annotations):
        return True
    refs = meta.get("ownerReferences") or []
    if desired.owner:
        return not any(r.get("uid") == es_uid and r.get("controller") for r in refs)
    return any(r.get("uid") == es_uid for r in refs)


def extra_keys_patch(secret: Mapping[str, Any], wanted: Mapping[str, bytes]) -> list[dict[str, Any]] | None:
    """JSON patch removing data keys not in ``wanted`` (guarded by resourceVersion), or None."""
    extras = sorted(set(secret.get("data") or {}) - set(wanted))
    if not extras:
        return None
    rv = (secret.get("metadata") or {}).get("resourceVersion", "")
    ops: list[dict[str, Any]] = [{"op": "test", "path": "/metadata/resourceVersion", "value": rv}]
    ops += [{"op": "remove", "path": "/data/" + k.replace("~", "~0").replace("/", "~1")} for k in extras]
    return ops


def summarize_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """Informer transform for Secrets: replace ``managedFields`` by a compact summary.

    Keeps, per ESO/eso field manager, the data keys, labels and annotations it owns
    (under ``metadata.esoOwned``) and drops the rest, which is large and unneeded.
    """
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return obj
    summary: dict[str, dict[str, list[str]]] = {}
    for entry in meta.pop("managedFields", None) or []:
        manager = str(entry.get("manager", ""))
        if not manager.startswith(constants.FIELD_MANAGER_PREFIX):
            continue
        fields = entry.get("fieldsV1") or {}
        md = fields.get("f:metadata") or {}
        parts = {
            "data": fields.get("f:data"),
            "labels": md.get("f:labels"),
            "annotations": md.get("f:annotations"),
        }
        mine = summary.setdefault(manager, {"data": [], "labels": [], "annotations": []})
        for part, tree in parts.items():
            for key in tree or {}:
                if key.startswith("f:") and key[2:] not in mine[part]:
                    mine[part].append(key[2:])
    if summary:
        meta[OWNED_KEY] = summary
    return obj
