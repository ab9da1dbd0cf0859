"""ESO's admission rules as pure functions over the models, callable by the webhook and the controllers.

Each ``validate_*`` returns a :class:`ValidationResult` with ``warnings`` (admitted,
shown to the user) and ``errors`` (refused). Every message starts with the field it is
about, index included (``spec.dataFrom[1]: …``, ``spec.data[2].secretKey: …``), and
never quotes a value from the manifest.

The ExternalSecret and SecretStore rules are ESO's (``externalsecret_validator.go``,
``secretstore_validator.go``). eso adds checks ESO only makes at runtime (RE2
regexes, one-of rewrites, the PushSecret source and destinations), so a mistake is
reported when the manifest is applied rather than at the next sync. Provider-specific
checks belong to the providers (``Provider.validate_store``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from eso.api import goregex
from eso.api.clusterexternalsecret import ClusterExternalSecret
from eso.api.duration import parse_duration
from eso.api.externalsecret import (
    ExternalSecret,
    ExternalSecretDataFromRemoteRef,
    ExternalSecretRewrite,
    ExternalSecretSpec,
)
from eso.api.generators import GENERATORS_GROUP
from eso.api.policies import CreationPolicy, DeletionPolicy, MergeStrategy
from eso.api.pushsecret import PushSecret
from eso.api.secretstore import PROVIDER_KEYS, ClusterSecretStore, SecretStore
from eso.api.secrettemplate import SECRET_TEMPLATE_TARGETS
from eso.errors import SpecError

__all__ = [
    "ValidationResult",
    "validate_cluster_external_secret",
    "validate_external_secret",
    "validate_external_secret_spec",
    "validate_push_secret",
    "validate_secret_store",
]

_SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
_SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
_BOOTSTRAP_TOKEN_TYPE = "bootstrap.kubernetes.io/token"


@dataclass(slots=True)
class ValidationResult:
    """Warnings (admitted) and errors (refused), each message prefixed by its field path."""

    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.errors

    def error(self, path: str, message: str) -> None:
        """Record an error at ``path``."""
        self.errors.append(f"{path}: {message}")

    def warn(self, path: str, message: str) -> None:
        """Record a warning at ``path``."""
        self.warnings.append(f"{path}: {message}")

    def extend(self, other: ValidationResult) -> None:
        """Add ``other``'s warnings and errors to this result."""
        self.warnings.extend(other.warnings)
        self.errors.extend(other.errors)

    def raise_for_errors(self) -> None:
        """Raise one :class:`SpecError` listing every error (no-op when there is none)."""
        if self.errors:
            exc = SpecError("; ".join(self.errors))
            exc.field = self.errors[0].split(": ", 1)[0]
            raise exc


def _regex(result: ValidationResult, path: str, pattern: str | None) -> None:
    if pattern:
        problem = goregex.error_for(pattern)
        if problem is not None:
            result.error(path, problem)


def _duration(result: ValidationResult, path: str, value: str | None) -> None:
    if value is not None:
        try:
            parse_duration(value)
        except SpecError as exc:
            result.error(path, exc.message)


def _policies(spec: ExternalSecretSpec, prefix: str, result: ValidationResult) -> None:
    target = spec.target
    path = f"{prefix}.target.deletionPolicy"
    owned_elsewhere = (CreationPolicy.MERGE, CreationPolicy.NONE, CreationPolicy.CREATE_OR_MERGE)
    if target.deletion_policy is DeletionPolicy.DELETE and target.creation_policy in owned_elsewhere:
        result.error(
            path,
            "deletionPolicy=Delete must not be used when the controller doesn't own the secret. "
            "Please set creationPolicy=Owner",
        )
    if target.deletion_policy is DeletionPolicy.MERGE and target.creation_policy is CreationPolicy.NONE:
        result.error(
            path,
            "deletionPolicy=Merge must not be used with creationPolicy=None. "
            "There is no Secret to merge with",
        )


def _template(spec: ExternalSecretSpec, prefix: str, generic: bool, result: ValidationResult) -> None:
    template = spec.target.template
    if template is None:
        return
    path = f"{prefix}.target.template"
    if template.type == _BOOTSTRAP_TOKEN_TYPE:
        result.error(f"{path}.type", "templates of type bootstrap.kubernetes.io/token are not allowed")
    if template.type == _SA_TOKEN_TYPE:
        if _SA_NAME_ANNOTATION in template.metadata.annotations:
            result.error(
                f"{path}.metadata.annotations",
                f"a {_SA_TOKEN_TYPE} template must not set the {_SA_NAME_ANNOTATION} annotation",
            )
        for i, item in enumerate(template.template_from):
            if item.effective_target().lower() == "annotations":
                result.error(
                    f"{path}.templateFrom[{i}].target",
                    f"a {_SA_TOKEN_TYPE} template must not render annotations",
                )
    if not generic:
        for i, item in enumerate(template.template_from):
            if item.target.lower() not in SECRET_TEMPLATE_TARGETS:
                result.error(f"{path}.templateFrom[{i}].target", "must be Data, Annotations or Labels")


def _rewrite(rewrites: list[ExternalSecretRewrite], prefix: str, result: ValidationResult) -> None:
    for j, step in enumerate(rewrites):
        path = f"{prefix}.rewrite[{j}]"
        set_count = sum(x is not None for x in (step.merge, step.regexp, step.transform))
        if set_count != 1:
            result.error(path, "set exactly one of merge, regexp or transform")
        if step.regexp is not None:
            _regex(result, f"{path}.regexp.source", step.regexp.source)
        if step.merge is not None and step.merge.strategy is MergeStrategy.JSON and not step.merge.into:
            result.error(f"{path}.merge.into", "is required when strategy is JSON")


def _data_from(entry: ExternalSecretDataFromRemoteRef, path: str, result: ValidationResult) -> None:
    generator = entry.generator_ref() is not None
    if sum((entry.extract is not None, entry.find is not None, generator)) > 1:
        result.error(path, "extract, find, or generatorRef cannot be set at the same time")
    if entry.extract is None and entry.find is None and entry.source_ref is None:
        result.error(path, "either extract, find, or sourceRef must be set to dataFrom")
    source = entry.source_ref
    if source is not None and source.generator_ref is None and source.store_ref is None:
        result.error(
            f"{path}.sourceRef", "generatorRef or storeRef must be set when using sourceRef in dataFrom"
        )
    if source is not None and source.generator_ref is not None and source.store_ref is not None:
        result.error(f"{path}.sourceRef", "set either storeRef or generatorRef, not both")
    if source is not None and source.generator_ref is not None:
        group = source.generator_ref.api_version.rpartition("/")[0]
        if group != GENERATORS_GROUP:
            result.error(f"{path}.sourceRef.generatorRef.apiVersion", f"must be in group {GENERATORS_GROUP}")
    if entry.find is not None and entry.find.name is not None:
        _regex(result, f"{path}.find.name.regexp", entry.find.name.regexp)
    _rewrite(entry.rewrite, path, result)


def validate_external_secret_spec(
    spec: ExternalSecretSpec, *, prefix: str = "spec", generic_target: bool = False
) -> ValidationResult:
    """ESO's ExternalSecret rules over a spec; ``prefix`` locates it (``spec.externalSecretSpec``)."""
    result = ValidationResult()
    _policies(spec, prefix, result)
    if not spec.data and not spec.data_from:
        result.error(prefix, "either data or dataFrom should be specified")
    _template(spec, prefix, generic_target, result)
    for i, entry in enumerate(spec.data_from):
        _data_from(entry, f"{prefix}.dataFrom[{i}]", result)
    for i, item in enumerate(spec.data):
        if item.source_ref is not None and item.source_ref.generator_ref is not None:
            result.warn(f"{prefix}.data[{i}].sourceRef.generatorRef", "is deprecated and ignored in data[]")
    if spec.target.deletion_policy is DeletionPolicy.RETAIN:
        first_seen: dict[str, int] = {}
        for i, item in enumerate(spec.data):
            if item.secret_key in first_seen:
                result.error(
                    f"{prefix}.data[{i}].secretKey",
                    f"duplicate secretKey (already used by {prefix}.data[{first_seen[item.secret_key]}])",
                )
            first_seen.setdefault(item.secret_key, i)
    if spec.sync_windows is not None:
        for i, window in enumerate(spec.sync_windows.windows):
            _duration(result, f"{prefix}.syncWindows.windows[{i}].duration", window.duration)
    return result


def validate_external_secret(es: ExternalSecret) -> ValidationResult:
    """ESO's ExternalSecret admission rules, plus eso's regex and rewrite checks."""
    return validate_external_secret_spec(es.spec, generic_target=es.is_generic_target())


def validate_cluster_external_secret(ces: ClusterExternalSecret) -> ValidationResult:
    """The child ExternalSecret's rules (under ``spec.externalSecretSpec``) and the namespace selection."""
    spec = ces.spec
    manifest = spec.external_secret_spec.target.manifest
    generic = manifest is not None and (manifest.api_version, manifest.kind) != ("v1", "Secret")
    result = validate_external_secret_spec(
        spec.external_secret_spec, prefix="spec.externalSecretSpec", generic_target=generic
    )
    if spec.namespace_selector is not None:
        result.warn("spec.namespaceSelector", "is deprecated; use spec.namespaceSelectors")
    if spec.namespaces:
        result.warn("spec.namespaces", "is deprecated; use spec.namespaceSelectors")
    if spec.namespace_selector is None and not spec.namespace_selectors and not spec.namespaces:
        result.warn("spec.namespaceSelectors", "selects no namespace; no ExternalSecret will be created")
    return result


def validate_secret_store(
    store: SecretStore | ClusterSecretStore, *, registered: Collection[str] | None = None
) -> ValidationResult:
    """ESO's store rules: conditions' regexes, refreshInterval, exactly one (registered) provider."""
    result = ValidationResult()
    spec = store.spec
    for i, condition in enumerate(spec.conditions):
        for j, pattern in enumerate(condition.namespace_regexes):
            _regex(result, f"spec.conditions[{i}].namespaceRegexes[{j}]", pattern)
    if spec.conditions and not store.is_cluster:
        result.warn("spec.conditions", "only a ClusterSecretStore uses conditions; they are ignored here")
    try:
        spec.refresh_seconds()
    except SpecError as exc:
        result.error("spec.refreshInterval", exc.message)
    if spec.retry_settings is not None:
        _duration(result, "spec.retrySettings.retryInterval", spec.retry_settings.retry_interval)
        if spec.retry_settings.max_retries is not None and spec.retry_settings.max_retries < 0:
            result.error("spec.retrySettings.maxRetries", "must not be negative")
    keys = spec.provider.set_keys()
    if len(keys) != 1:
        found = f" (found {len(keys)}: {', '.join(sorted(keys))})" if keys else ""
        result.error("spec.provider", f"exactly one provider must be set{found}")
    elif registered is not None and keys[0] not in registered:
        known = "known to ESO but not available in eso" if keys[0] in PROVIDER_KEYS else "unknown"
        result.error(
            f"spec.provider.{keys[0]}", f"provider is {known}; available: {', '.join(sorted(registered))}"
        )
    return result


def _push_source(ps: PushSecret, result: ValidationResult) -> None:
    selector = ps.spec.selector
    example = "spec.selector.secret.name: <name of the Secret holding the key>"
    if selector is None:
        result.error(
            "spec.selector",
            f"is missing: a PushSecret needs a source. Name the Secret to push, e.g. {example} "
            "(or select Secrets by label with spec.selector.secret.selector, "
            "or use spec.selector.generatorRef)",
        )
        return
    if (selector.secret is None) == (selector.generator_ref is None):
        result.error("spec.selector", "set exactly one of secret or generatorRef")
    secret = selector.secret
    if secret is not None and not secret.name and secret.selector is None:
        result.error("spec.selector.secret", f"set name or selector, e.g. {example}")
    if secret is not None and secret.name and secret.selector is not None:
        result.error("spec.selector.secret", "set either name or selector, not both")


def _push_destinations(ps: PushSecret, result: ValidationResult) -> None:
    spec = ps.spec
    if not spec.secret_store_refs:
        result.error("spec.secretStoreRefs", "at least one store is required")
    named = set()
    for i, ref in enumerate(spec.secret_store_refs):
        if not ref.name and ref.label_selector is None:
            result.error(f"spec.secretStoreRefs[{i}]", "set name or labelSelector")
        if ref.name:
            named.add((ref.kind, ref.name))
    seen: dict[tuple[str, str | None], int] = {}
    for i, item in enumerate(spec.data):
        path = f"spec.data[{i}]"
        remote = item.match.remote_ref
        if item.remote_ref is not None and remote is not None:
            result.error(
                f"{path}.remoteRef",
                f"set either {path}.match.remoteRef or {path}.remoteRef (misplaced), not both",
            )
        elif item.remote_ref is not None:
            # lenient alias (some tutorials put it there): used as match.remoteRef, with a warning
            remote = item.remote_ref
            result.warn(
                f"{path}.remoteRef",
                f"belongs under match: move it to {path}.match.remoteRef (match: {{secretKey: <key>, "
                "remoteRef: {remoteKey: <name at the provider>}}); it is used as match.remoteRef meanwhile",
            )
        elif remote is None:
            result.error(
                f"{path}.match.remoteRef", "is required: e.g. remoteRef: {remoteKey: <name at the provider>}"
            )
        if remote is not None:
            if not remote.remote_key:
                result.error(f"{path}.match.remoteRef.remoteKey", "must not be empty")
            destination = (remote.remote_key, remote.property)
            if destination in seen:
                result.error(f"{path}.match.remoteRef", f"same destination as spec.data[{seen[destination]}]")
            seen.setdefault(destination, i)
    for i, entry in enumerate(spec.data_to):
        path = f"spec.dataTo[{i}]"
        store = entry.store_ref
        if store is None or (not store.name and store.label_selector is None):
            result.error(f"{path}.storeRef", "storeRef must specify either name or labelSelector")
        elif store.name and (store.kind, store.name) not in named:
            result.error(f"{path}.storeRef", "names a store that is not listed in spec.secretStoreRefs")
        if entry.match is not None:
            _regex(result, f"{path}.match.regexp", entry.match.regexp)
        if entry.remote_key and entry.rewrite:
            result.error(path, "remoteKey and rewrite are mutually exclusive")
        for j, step in enumerate(entry.rewrite):
            if (step.regexp is None) == (step.transform is None):
                result.error(f"{path}.rewrite[{j}]", "exactly one of regexp or transform must be set")
            if step.regexp is not None:
                _regex(result, f"{path}.rewrite[{j}].regexp.source", step.regexp.source)
    if not spec.data and not spec.data_to and ps.spec.selector is not None:
        result.warn("spec", "neither data nor dataTo is set: nothing will be pushed")


def validate_push_secret(ps: PushSecret) -> ValidationResult:
    """The PushSecret's source (``spec.selector``), stores and entries (ESO checks most at runtime)."""
    result = ValidationResult()
    _push_source(ps, result)
    _push_destinations(ps, result)
    return result
