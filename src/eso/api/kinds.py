"""Which model class parses which kind: the bridge between :mod:`eso.api.resources` and the models."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.clusterpushsecret import ClusterPushSecret
from eso.api.externalsecret import ExternalSecret
from eso.api.generators import UUID, ClusterGenerator, Fake, GeneratorState, Password
from eso.api.meta import KubeObject
from eso.api.pushsecret import PushSecret
from eso.api.resources import (
    CLUSTER_EXTERNAL_SECRET,
    CLUSTER_GENERATOR,
    CLUSTER_PUSH_SECRET,
    CLUSTER_SECRET_STORE,
    EXTERNAL_SECRET,
    FAKE_GENERATOR,
    GENERATOR_STATE,
    PASSWORD,
    PUSH_SECRET,
    SECRET_STORE,
    ResourceInfo,
    lookup,
)
from eso.api.resources import UUID as UUID_INFO
from eso.api.secretstore import ClusterSecretStore, SecretStore

__all__ = ["MODELS", "model_for"]

MODELS: Mapping[ResourceInfo, type[KubeObject]] = MappingProxyType(
    {
        EXTERNAL_SECRET: ExternalSecret,
        CLUSTER_EXTERNAL_SECRET: ClusterExternalSecret,
        SECRET_STORE: SecretStore,
        CLUSTER_SECRET_STORE: ClusterSecretStore,
        PUSH_SECRET: PushSecret,
        CLUSTER_PUSH_SECRET: ClusterPushSecret,
        CLUSTER_GENERATOR: ClusterGenerator,
        FAKE_GENERATOR: Fake,
        GENERATOR_STATE: GeneratorState,
        PASSWORD: Password,
        UUID_INFO: UUID,
    }
)
"""The model class of every custom kind."""


def model_for(api_version: str, kind: str) -> type[KubeObject] | None:
    """The model class for ``apiVersion``/``kind`` (any served version), or None."""
    info = lookup(api_version, kind)
    return MODELS.get(info) if info is not None else None
