"""Where a store's credential references point: the namespace rules, in one place.

* A namespaced **SecretStore** reads credentials only from its own namespace. A
  reference with another namespace is refused, with the reason and the fix. One
  exception: a ServiceAccount reference naming the operator's own ServiceAccount. That
  identity is what a store without ``auth`` uses anyway, so naming it widens nothing;
  it is accepted with a warning (ESO refuses it, which breaks the seed tutorial).
* A **ClusterSecretStore** honours an explicit namespace. Without one the reference is
  *referent*: it resolves in the namespace of the ExternalSecret being served, and is
  unknown while the store itself is validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from eso.errors import SpecError
from eso.providers.base import StoreContext

__all__ = ["ResolvedRef", "resolve_secret_ref_namespace", "resolve_service_account_namespace"]


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    """A resolved reference: the namespace to read from, or None when referent and unknown.

    ``warning`` is set when the reference is accepted but discouraged.
    """

    namespace: str | None
    warning: str | None = None

    @property
    def referent_unknown(self) -> bool:
        """True when a ClusterSecretStore's referent reference cannot be resolved yet."""
        return self.namespace is None


def _cross_namespace_message(store: StoreContext, what: str, name: str, namespace: str) -> str:
    return (
        f"namespace should either be empty or match the namespace of the SecretStore: "
        f'{what} "{namespace}/{name}" is outside namespace "{store.namespace}". '
        f"A SecretStore may only use credentials from its own namespace. Fix: move the {what} "
        f'into namespace "{store.namespace}" and omit the namespace, or use a ClusterSecretStore '
        f"(whose conditions say which namespaces may use it)."
    )


def resolve_secret_ref_namespace(
    store: StoreContext, ref_namespace: str | None, ref_name: str, field: str
) -> ResolvedRef:
    """Namespace of a Secret referenced by a store's auth (``field`` names the selector)."""
    if store.is_cluster:
        if ref_namespace:
            return ResolvedRef(ref_namespace)
        return ResolvedRef(store.consumer_namespace)
    own = store.namespace or ""
    if ref_namespace and ref_namespace != own:
        raise SpecError(_cross_namespace_message(store, "Secret", ref_name, ref_namespace), field=field)
    return ResolvedRef(own)


def resolve_service_account_namespace(
    store: StoreContext,
    ref_namespace: str | None,
    ref_name: str,
    field: str,
    operator_service_account: tuple[str, str] | None,
) -> ResolvedRef:
    """Namespace of a ServiceAccount referenced by a store's auth.

    ``operator_service_account`` is ``(namespace, name)`` of the identity eso runs as.
    """
    if store.is_cluster:
        if ref_namespace:
            return ResolvedRef(ref_namespace)
        return ResolvedRef(store.consumer_namespace)
    own = store.namespace or ""
    if not ref_namespace or ref_namespace == own:
        return ResolvedRef(own)
    if operator_service_account == (ref_namespace, ref_name):
        return ResolvedRef(
            ref_namespace,
            warning=(
                f'{field} names the operator\'s own ServiceAccount "{ref_namespace}/{ref_name}"; '
                "this is accepted because a store without auth uses that identity anyway. "
                "Prefer omitting auth, or use a ClusterSecretStore."
            ),
        )
    raise SpecError(_cross_namespace_message(store, "ServiceAccount", ref_name, ref_namespace), field=field)
