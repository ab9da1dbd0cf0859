"""ESO's ApplyTemplate for a Secret, as a pure function over data (eso-api §2.5 and §3.2).

:func:`apply_template` takes the ``target.template``, the provider data and the Secret as
the controller prepared it (``base``: the keys, labels and annotations to keep, i.e.
nothing for creationPolicy Owner/Orphan, the foreign ones for Merge/CreateOrMerge), and
returns the Secret to write. In ESO's order, lowest priority first:

1. privileged templates are refused (a ``bootstrap.kubernetes.io/token`` type; a
   ``kubernetes.io/service-account-token`` type that sets the service-account annotation or
   renders annotations);
2. ``template.metadata`` labels and annotations are copied as written, its finalizers are
   added (unless the Secret is being deleted);
3. ``template.type`` replaces the type when set;
4. the provider data is copied in when ``mergePolicy`` is ``Merge`` or the template has
   neither ``data`` nor ``templateFrom`` (a metadata-only template);
5. ``templateFrom[]`` in order; within an entry: ConfigMap items, Secret items, literal;
6. ``template.data`` (it overrides templateFrom);
7. ``template.metadata.labels`` then ``.annotations`` rendered as templates.

The context of every template is the provider data as ``map[string]string``. Errors are
:class:`eso.errors.TemplateError` (or the sources' errors) whose ``field`` names the
spec path (``spec.target.template.data[tls.crt]``) and whose text never holds a value.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from eso.api.policies import TemplateEngineVersion, TemplateMergePolicy, TemplateScope
from eso.api.secrettemplate import ExternalSecretTemplate, TemplateFrom, TemplateRef
from eso.errors import SpecError, TemplateError
from eso.template.engine import TemplateEngine, go_context
from eso.template.gostr import go_string
from eso.template.scopes import apply_to_target, render_keys_and_values, render_values
from eso.template.secret import RenderedSecret, TemplateSources

__all__ = [
    "RenderedSecret",
    "TemplateSources",
    "apply_push_template",
    "apply_template",
    "render_key_transform",
]

_SA_TOKEN = "kubernetes.io/service-account-token"
_SA_NAME = "kubernetes.io/service-account.name"
_BOOTSTRAP = "bootstrap.kubernetes.io/token"
_APPLY_BUDGET_FACTOR = 5
"""One apply may take this many single-render budgets in total."""


class _Run:
    """One apply: the Secret being built, the engine, the context, the field prefix, the deadline."""

    def __init__(
        self, secret: RenderedSecret, engine: TemplateEngine, data: Mapping[str, bytes], prefix: str
    ) -> None:
        self.secret = secret
        self.engine = engine
        self.context = go_context(data)
        self.prefix = prefix
        self.deadline = time.monotonic() + engine.limits.timeout_seconds * _APPLY_BUDGET_FACTOR

    def _check_time(self, field: str) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateError("rendering the templates took longer than the total budget", field=field)

    def render_map(self, templates: Mapping[str, str], target: str, field: str) -> None:
        """``Values`` scope over a map of the spec (``data``, ``metadata.labels`` …)."""
        for key in sorted(templates):
            path = f"{field}[{key}]"
            try:
                values = render_values(self.engine, [(key, templates[key])], self.context)
                apply_to_target(self.secret, target, values)
            except TemplateError as error:
                raise _field_error(error, path) from None
            self._check_time(path)

    def render_item(self, entry: TemplateFrom, item: _Item) -> None:
        """One templateFrom template, in its scope, to the entry's target."""
        strategy = entry.values_decoding_strategy.value if entry.values_decoding_strategy else None
        try:
            if item.scope is TemplateScope.KEYS_AND_VALUES:
                values = render_keys_and_values(self.engine, item.key, item.source, self.context, strategy)
            else:
                values = render_values(self.engine, [(item.key, item.source)], self.context, strategy)
            apply_to_target(self.secret, entry.effective_target(), values)
        except TemplateError as error:
            raise _field_error(error, item.path) from None
        self._check_time(item.path)

    async def render_template_from(self, entries: list[TemplateFrom], sources: TemplateSources) -> None:
        """``templateFrom[]`` in order: ConfigMap items, Secret items, then the literal."""
        for i, entry in enumerate(entries):
            path = f"{self.prefix}.templateFrom[{i}]"
            if entry.config_map is not None:
                config_map = await sources.get_config_map(entry.config_map.name)
                for item in _items(entry.config_map, config_map, "configmap", f"{path}.configMap"):
                    self.render_item(entry, item)
            if entry.secret is not None:
                secret = {k: go_string(v) for k, v in (await sources.get_secret(entry.secret.name)).items()}
                for item in _items(entry.secret, secret, "secret", f"{path}.secret"):
                    self.render_item(entry, item)
            if entry.literal is not None:
                literal = _Item("literal", entry.literal, TemplateScope.KEYS_AND_VALUES, f"{path}.literal")
                self.render_item(entry, literal)

    async def render_all(self, template: ExternalSecretTemplate, sources: TemplateSources) -> None:
        """Steps 5 to 7: templateFrom, data, then metadata labels and annotations."""
        await self.render_template_from(template.template_from, sources)
        self.render_map(template.data, "Data", f"{self.prefix}.data")
        self.render_map(template.metadata.labels, "Labels", f"{self.prefix}.metadata.labels")
        self.render_map(template.metadata.annotations, "Annotations", f"{self.prefix}.metadata.annotations")


@dataclass(frozen=True)
class _Item:
    key: str
    source: str
    scope: TemplateScope
    path: str


def _items(ref: TemplateRef, texts: Mapping[str, str], kind: str, path: str) -> list[_Item]:
    items: list[_Item] = []
    for j, item in enumerate(ref.items):
        if item.key not in texts:
            raise TemplateError(
                f"error in {kind} {ref.name}: missing key {item.key}", field=f"{path}.items[{j}]"
            )
        items.append(_Item(item.key, texts[item.key], item.template_as, f"{path}.items[{j}]"))
    return items


def _field_error(error: TemplateError, field: str) -> TemplateError:
    return TemplateError(error.message, field=error.field or field)


def _reject_privileged(template: ExternalSecretTemplate, prefix: str) -> None:
    if template.type == _BOOTSTRAP:
        raise SpecError(f"templates of type {_BOOTSTRAP} are not allowed", field=f"{prefix}.type")
    if template.type != _SA_TOKEN:
        return
    if _SA_NAME in template.metadata.annotations:
        raise SpecError(
            f"a {_SA_TOKEN} template must not set the {_SA_NAME} annotation",
            field=f"{prefix}.metadata.annotations",
        )
    for i, entry in enumerate(template.template_from):
        if entry.effective_target().lower() == "annotations":
            message = f"a {_SA_TOKEN} template must not render annotations"
            raise SpecError(message, field=f"{prefix}.templateFrom[{i}].target")


async def apply_template(
    template: ExternalSecretTemplate | None,
    provider_data: Mapping[str, bytes],
    base: RenderedSecret,
    *,
    sources: TemplateSources,
    engine: TemplateEngine,
    deleting: bool = False,
    field_prefix: str = "spec.target.template",
) -> RenderedSecret:
    """The Secret an ExternalSecret renders over ``base`` (which is not modified).

    Without a template the provider data is simply copied over ``base``'s data.
    """
    secret = base.copy()
    if template is None:
        secret.data.update(provider_data)
        return secret
    _reject_privileged(template, field_prefix)
    secret.labels.update(template.metadata.labels)
    secret.annotations.update(template.metadata.annotations)
    if not deleting:
        secret.finalizers += [f for f in template.metadata.finalizers if f not in secret.finalizers]
    if template.type:
        secret.type = template.type
    if template.merge_policy is TemplateMergePolicy.MERGE or template.is_metadata_only():
        secret.data.update(provider_data)
    if template.engine_version is not TemplateEngineVersion.V2:
        raise TemplateError(
            f"unsupported template engine version {template.engine_version!r}: only v2 exists",
            field=f"{field_prefix}.engineVersion",
        )
    await _Run(secret, engine, provider_data, field_prefix).render_all(template, sources)
    return secret


async def apply_push_template(
    template: ExternalSecretTemplate | None,
    source: RenderedSecret,
    *,
    sources: TemplateSources,
    engine: TemplateEngine,
    field_prefix: str = "spec.template",
) -> RenderedSecret:
    """A PushSecret's template over a copy of its source Secret (eso-api §3.2).

    The context is the source Secret's data and the rendered keys are merged over it:
    existing keys are never cleared and ``mergePolicy`` plays no part. As in ESO the
    template's ``type`` (possibly empty) replaces the source's. ``source`` is not modified.
    """
    secret = source.copy()
    if template is None:
        return secret
    _reject_privileged(template, field_prefix)
    secret.type = template.type
    secret.labels.update(template.metadata.labels)
    secret.annotations.update(template.metadata.annotations)
    await _Run(secret, engine, source.data, field_prefix).render_all(template, sources)
    return secret


def render_key_transform(engine: TemplateEngine, template: str, key: str) -> str:
    """``dataFrom[].rewrite[].transform``: the new name of ``key``.

    As ESO does, the template runs with ``{{ }}`` delimiters, Go's default ``missingkey``
    and the context ``{"value": key}``.
    """
    return engine.transform_engine().render("transform", template, {"value": key})
