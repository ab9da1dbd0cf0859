"""Kind metadata: group, versions, plural, scope and REST paths of every kind eso touches.

One :class:`ResourceInfo` per kind, kept apart from the models (lightkube's
``ApiInfo`` idea). ``served_version`` is the version eso itself reads and writes;
``versions`` lists every version the CRD serves. :meth:`ResourceInfo.path` builds REST
paths (``/apis/external-secrets.io/v1/namespaces/ns/externalsecrets/name``,
``/api/v1/namespaces/ns/secrets``); :func:`lookup` finds a kind by apiVersion and kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ALL_RESOURCES",
    "CLUSTER_EXTERNAL_SECRET",
    "CLUSTER_GENERATOR",
    "CLUSTER_PUSH_SECRET",
    "CLUSTER_SECRET_STORE",
    "CONFIG_MAP",
    "CRD",
    "CUSTOM_RESOURCES",
    "ESO_GROUP",
    "EVENT",
    "EXTERNAL_SECRET",
    "FAKE_GENERATOR",
    "GENERATORS_GROUP",
    "GENERATOR_STATE",
    "LEASE",
    "NAMESPACE",
    "PASSWORD",
    "PUSH_SECRET",
    "SECRET",
    "SECRET_STORE",
    "SERVICE_ACCOUNT",
    "UUID",
    "VALIDATING_WEBHOOK_CONFIGURATION",
    "ResourceInfo",
    "lookup",
]

ESO_GROUP = "external-secrets.io"
GENERATORS_GROUP = "generators.external-secrets.io"


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """Everything about a kind except its fields."""

    group: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    versions: tuple[str, ...]
    storage_version: str
    served_version: str
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        """``group/version`` eso uses (just ``v1`` for the core group)."""
        return self.api_version_for(self.served_version)

    @property
    def list_kind(self) -> str:
        """The kind of a list of these (``ExternalSecretList``)."""
        return f"{self.kind}List"

    @property
    def crd_name(self) -> str:
        """``<plural>.<group>``, the name of the CustomResourceDefinition."""
        return f"{self.plural}.{self.group}"

    def api_version_for(self, version: str) -> str:
        """``group/version`` for one of this kind's versions."""
        return f"{self.group}/{version}" if self.group else version

    def path(
        self,
        namespace: str | None = None,
        name: str | None = None,
        *,
        subresource: str | None = None,
        version: str | None = None,
    ) -> str:
        """REST path of the collection (no name) or of one object, optionally a subresource.

        A namespaced kind without ``namespace`` gives the all-namespaces collection. A
        namespace for a cluster-scoped kind, or a subresource without a name, is a bug
        and raises ValueError.
        """
        v = version or self.served_version
        root = f"/apis/{self.group}/{v}" if self.group else f"/api/{v}"
        if namespace:
            if not self.namespaced:
                raise ValueError(f"{self.kind} is cluster-scoped; it has no namespace")
            root += f"/namespaces/{namespace}"
        root += f"/{self.plural}"
        if name:
            root += f"/{name}"
        if subresource:
            if not name:
                raise ValueError("a subresource needs an object name")
            root += f"/{subresource}"
        return root


def _eso(
    kind: str, plural: str, *, namespaced: bool, versions: tuple[str, ...], short: tuple[str, ...] = ()
) -> ResourceInfo:
    return ResourceInfo(
        group=ESO_GROUP,
        kind=kind,
        plural=plural,
        singular=kind.lower(),
        namespaced=namespaced,
        versions=versions,
        storage_version=versions[0],
        served_version=versions[0],
        short_names=short,
        categories=("external-secrets",),
    )


def _gen(kind: str, plural: str, *, namespaced: bool = True, short: tuple[str, ...] = ()) -> ResourceInfo:
    return ResourceInfo(
        group=GENERATORS_GROUP,
        kind=kind,
        plural=plural,
        singular=kind.lower(),
        namespaced=namespaced,
        versions=("v1alpha1",),
        storage_version="v1alpha1",
        served_version="v1alpha1",
        short_names=short,
        categories=("external-secrets", "external-secrets-generators"),
    )


def _core(group: str, version: str, kind: str, plural: str, *, namespaced: bool) -> ResourceInfo:
    return ResourceInfo(
        group=group,
        kind=kind,
        plural=plural,
        singular=kind.lower(),
        namespaced=namespaced,
        versions=(version,),
        storage_version=version,
        served_version=version,
    )


_V1 = ("v1", "v1beta1")

EXTERNAL_SECRET = _eso("ExternalSecret", "externalsecrets", namespaced=True, versions=_V1, short=("es",))
CLUSTER_EXTERNAL_SECRET = _eso(
    "ClusterExternalSecret", "clusterexternalsecrets", namespaced=False, versions=_V1, short=("ces",)
)
SECRET_STORE = _eso("SecretStore", "secretstores", namespaced=True, versions=_V1, short=("ss",))
CLUSTER_SECRET_STORE = _eso(
    "ClusterSecretStore", "clustersecretstores", namespaced=False, versions=_V1, short=("css",)
)
PUSH_SECRET = _eso("PushSecret", "pushsecrets", namespaced=True, versions=("v1alpha1",), short=("ps",))
CLUSTER_PUSH_SECRET = _eso(
    "ClusterPushSecret", "clusterpushsecrets", namespaced=False, versions=("v1alpha1",)
)

PASSWORD = _gen("Password", "passwords")
UUID = _gen("UUID", "uuids")
FAKE_GENERATOR = _gen("Fake", "fakes")
CLUSTER_GENERATOR = _gen("ClusterGenerator", "clustergenerators", namespaced=False)
GENERATOR_STATE = _gen("GeneratorState", "generatorstates", short=("gs",))

SECRET = _core("", "v1", "Secret", "secrets", namespaced=True)
CONFIG_MAP = _core("", "v1", "ConfigMap", "configmaps", namespaced=True)
NAMESPACE = _core("", "v1", "Namespace", "namespaces", namespaced=False)
SERVICE_ACCOUNT = _core("", "v1", "ServiceAccount", "serviceaccounts", namespaced=True)
EVENT = _core("", "v1", "Event", "events", namespaced=True)
LEASE = _core("coordination.k8s.io", "v1", "Lease", "leases", namespaced=True)
VALIDATING_WEBHOOK_CONFIGURATION = _core(
    "admissionregistration.k8s.io",
    "v1",
    "ValidatingWebhookConfiguration",
    "validatingwebhookconfigurations",
    namespaced=False,
)
CRD = _core(
    "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", namespaced=False
)

CUSTOM_RESOURCES: tuple[ResourceInfo, ...] = (
    EXTERNAL_SECRET,
    CLUSTER_EXTERNAL_SECRET,
    SECRET_STORE,
    CLUSTER_SECRET_STORE,
    PUSH_SECRET,
    CLUSTER_PUSH_SECRET,
    CLUSTER_GENERATOR,
    FAKE_GENERATOR,
    GENERATOR_STATE,
    PASSWORD,
    UUID,
)
"""The kinds eso defines CRDs for, in the order the CRDs are generated."""

ALL_RESOURCES: tuple[ResourceInfo, ...] = (
    *CUSTOM_RESOURCES,
    SECRET,
    CONFIG_MAP,
    NAMESPACE,
    SERVICE_ACCOUNT,
    EVENT,
    LEASE,
    VALIDATING_WEBHOOK_CONFIGURATION,
    CRD,
)

_BY_GROUP_KIND: Mapping[tuple[str, str], ResourceInfo] = MappingProxyType(
    {(r.group, r.kind): r for r in ALL_RESOURCES}
)


def lookup(api_version: str, kind: str) -> ResourceInfo | None:
    """The kind served at ``api_version`` (any of its versions), or None when eso does not know it."""
    group, _, version = api_version.rpartition("/")
    info = _BY_GROUP_KIND.get((group, kind))
    if info is None or version not in info.versions:
        return None
    return info
