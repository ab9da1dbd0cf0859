"""The string enums of ExternalSecret and PushSecret specs, with ESO's exact values.

Each member's value is what a manifest carries; where ESO's CRD applies a default,
the model field carries it as a Python default (never written back to a spec).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ConversionStrategy",
    "CreationPolicy",
    "DecodingStrategy",
    "DeletionPolicy",
    "MergeConflictPolicy",
    "MergePriorityPolicy",
    "MergeStrategy",
    "MetadataPolicy",
    "NullBytePolicy",
    "PushSecretConversionStrategy",
    "PushSecretDeletionPolicy",
    "RefreshPolicy",
    "SyncWindowKind",
    "TemplateEngineVersion",
    "TemplateMergePolicy",
    "TemplateScope",
    "TemplateTarget",
    "UpdatePolicy",
]


class CreationPolicy(StrEnum):
    """``target.creationPolicy``: who owns the target Secret (default Owner)."""

    OWNER = "Owner"
    ORPHAN = "Orphan"
    MERGE = "Merge"
    NONE = "None"
    CREATE_OR_MERGE = "CreateOrMerge"


class DeletionPolicy(StrEnum):
    """``target.deletionPolicy``: what happens when provider secrets disappear (default Retain)."""

    DELETE = "Delete"
    MERGE = "Merge"
    RETAIN = "Retain"


class RefreshPolicy(StrEnum):
    """``spec.refreshPolicy``; unset behaves as Periodic."""

    CREATED_ONCE = "CreatedOnce"
    PERIODIC = "Periodic"
    ON_CHANGE = "OnChange"


class MetadataPolicy(StrEnum):
    """``remoteRef.metadataPolicy``: read the value (None) or the secret's tags/labels (Fetch)."""

    NONE = "None"
    FETCH = "Fetch"


class ConversionStrategy(StrEnum):
    """How invalid characters in keys are replaced: ``_`` (Default) or ``_UXXXX_`` (Unicode)."""

    DEFAULT = "Default"
    UNICODE = "Unicode"


class DecodingStrategy(StrEnum):
    """How fetched values are decoded before they are stored (default None)."""

    AUTO = "Auto"
    BASE64 = "Base64"
    BASE64URL = "Base64URL"
    NONE = "None"


class NullBytePolicy(StrEnum):
    """What a value containing a NUL byte does: nothing (Ignore) or fail the sync (Fail)."""

    IGNORE = "Ignore"
    FAIL = "Fail"


class MergeConflictPolicy(StrEnum):
    """``rewrite.merge.conflictPolicy`` (default Error)."""

    IGNORE = "Ignore"
    ERROR = "Error"


class MergePriorityPolicy(StrEnum):
    """``rewrite.merge.priorityPolicy`` (default Strict)."""

    IGNORE_NOT_FOUND = "IgnoreNotFound"
    STRICT = "Strict"


class MergeStrategy(StrEnum):
    """``rewrite.merge.strategy`` (default Extract)."""

    EXTRACT = "Extract"
    JSON = "JSON"


class TemplateEngineVersion(StrEnum):
    """``template.engineVersion``: only v2 exists."""

    V2 = "v2"


class TemplateMergePolicy(StrEnum):
    """``template.mergePolicy``: whether provider data is kept next to rendered keys (default Replace)."""

    REPLACE = "Replace"
    MERGE = "Merge"


class TemplateScope(StrEnum):
    """``templateFrom[].*.items[].templateAs``: render values only, or keys and values (default Values)."""

    VALUES = "Values"
    KEYS_AND_VALUES = "KeysAndValues"


class TemplateTarget(StrEnum):
    """Where a ``templateFrom`` entry renders for a Secret target (default Data)."""

    DATA = "Data"
    ANNOTATIONS = "Annotations"
    LABELS = "Labels"


class SyncWindowKind(StrEnum):
    """``syncWindows.kind``: refresh only inside (allow) or only outside (deny) the windows."""

    ALLOW = "allow"
    DENY = "deny"


class UpdatePolicy(StrEnum):
    """PushSecret ``updatePolicy`` (default Replace)."""

    REPLACE = "Replace"
    IF_NOT_EXISTS = "IfNotExists"


class PushSecretDeletionPolicy(StrEnum):
    """PushSecret ``deletionPolicy`` (default None): whether remote secrets are deleted with it."""

    DELETE = "Delete"
    NONE = "None"


class PushSecretConversionStrategy(StrEnum):
    """PushSecret ``conversionStrategy``: turn ``_UXXXX_`` back into characters (ReverseUnicode)."""

    NONE = "None"
    REVERSE_UNICODE = "ReverseUnicode"
