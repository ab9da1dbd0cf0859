"""``eso template``: render an ExternalSecret's or PushSecret's template offline (like ``esoctl template``).

Nothing is contacted: the provider data comes from ``--source-secret-data-file`` (a YAML
map of key → base64 value, what ``data[]``/``dataFrom[]`` would have fetched, or the source
Secret's data for a PushSecret), and the ``templateFrom`` ConfigMaps and Secrets from
``--template-from-config-map`` / ``--template-from-secret`` files (each may be repeated).
The result is printed as a Secret manifest with base64 ``data``, as the API shows it.
The engine is the operator's: same functions, same limits, ``--template-left-delimiter``
and ``--template-right-delimiter`` as ``eso run`` takes them.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
import yaml

from eso.api.externalsecret import ExternalSecret
from eso.api.parsing import parse
from eso.api.pushsecret import PushSecret
from eso.controllers.externalsecret.target import metadata_without_template
from eso.errors import EsoError, SpecError
from eso.template import TemplateEngine
from eso.template.apply import RenderedSecret, apply_push_template, apply_template

__all__ = ["command"]

_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


class FileSources:
    """templateFrom sources read from manifest files, looked up by ``metadata.name``."""

    def __init__(
        self, config_maps: Mapping[str, Mapping[str, str]], secrets: Mapping[str, Mapping[str, bytes]]
    ):
        self._config_maps = config_maps
        self._secrets = secrets

    async def get_config_map(self, name: str) -> Mapping[str, str]:
        """``data`` of the ConfigMap file named ``name``."""
        if name not in self._config_maps:
            raise SpecError(f'ConfigMap "{name}" was not given (use --template-from-config-map)')
        return self._config_maps[name]

    async def get_secret(self, name: str) -> Mapping[str, bytes]:
        """Decoded ``data`` (and ``stringData``) of the Secret file named ``name``."""
        if name not in self._secrets:
            raise SpecError(f'Secret "{name}" was not given (use --template-from-secret)')
        return self._secrets[name]


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise click.ClickException(f"{path}: cannot read YAML ({type(error).__name__})") from None


def _b64_map(values: Any, where: str) -> dict[str, bytes]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise click.ClickException(f"{where}: must be a map of key to base64 value")
    out: dict[str, bytes] = {}
    for key, value in values.items():
        try:
            out[str(key)] = base64.b64decode(str(value if value is not None else ""), validate=True)
        except (binascii.Error, ValueError):
            raise click.ClickException(f"{where}[{key}]: is not valid base64") from None
    return out


def _object(path: Path, kind: str) -> tuple[str, Mapping[str, Any]]:
    manifest = _load(path)
    if not isinstance(manifest, Mapping) or manifest.get("kind") != kind:
        raise click.ClickException(f"{path}: must be a {kind} manifest")
    name = (manifest.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise click.ClickException(f"{path}: metadata.name is required")
    return name, manifest


def _sources(config_map_files: tuple[Path, ...], secret_files: tuple[Path, ...]) -> FileSources:
    config_maps: dict[str, dict[str, str]] = {}
    for path in config_map_files:
        name, manifest = _object(path, "ConfigMap")
        config_maps[name] = {str(k): str(v) for k, v in (manifest.get("data") or {}).items()}
    secrets: dict[str, dict[str, bytes]] = {}
    for path in secret_files:
        name, manifest = _object(path, "Secret")
        data = _b64_map(manifest.get("data"), f"{path}: data")
        data.update({str(k): str(v).encode() for k, v in (manifest.get("stringData") or {}).items()})
        secrets[name] = data
    return FileSources(config_maps, secrets)


async def _render(
    obj: Any, data: dict[str, bytes], sources: FileSources, engine: TemplateEngine
) -> dict[str, Any]:
    if isinstance(obj, ExternalSecret):
        template = obj.spec.target.template
        base = RenderedSecret()
        if template is None:
            base.labels, base.annotations = metadata_without_template(obj)
        secret = await apply_template(template, data, base, sources=sources, engine=engine)
        name = obj.target_name()
    elif isinstance(obj, PushSecret):
        source = RenderedSecret(type="Opaque", data=data)
        secret = await apply_push_template(obj.spec.template, source, sources=sources, engine=engine)
        selected = obj.spec.selector.secret if obj.spec.selector else None
        name = (selected.name if selected else None) or obj.name
    else:
        raise click.ClickException(f"{obj.kind} has no template: give an ExternalSecret or a PushSecret")
    metadata: dict[str, Any] = {"name": name}
    if obj.namespace:
        metadata["namespace"] = obj.namespace
    if secret.labels:
        metadata["labels"] = dict(sorted(secret.labels.items()))
    if secret.annotations:
        metadata["annotations"] = dict(sorted(secret.annotations.items()))
    if secret.finalizers:
        metadata["finalizers"] = list(secret.finalizers)
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata,
        "type": secret.type or "Opaque",
        "data": {k: base64.b64encode(v).decode("ascii") for k, v in sorted(secret.data.items())},
    }


@click.command("template")
@click.option("--source-templated-object", "object_file", type=_FILE, required=True, metavar="FILE",
              help="An ExternalSecret or PushSecret manifest (YAML) whose template is rendered.")  # fmt: skip
@click.option("--source-secret-data-file", "data_file", type=_FILE, default=None, metavar="FILE",
              help="A YAML map of key to base64 value: the data the template sees.")  # fmt: skip
@click.option("--template-from-config-map", "config_map_files", type=_FILE, multiple=True, metavar="FILE",
              help="A ConfigMap manifest used by templateFrom (repeatable).")  # fmt: skip
@click.option("--template-from-secret", "secret_files", type=_FILE, multiple=True, metavar="FILE",
              help="A Secret manifest used by templateFrom (repeatable).")  # fmt: skip
@click.option("--output", "output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              default=None, metavar="FILE", help="Write the Secret here instead of stdout.")  # fmt: skip
@click.option("--template-left-delimiter", default="{{", show_default=True, help="Left action delimiter.")
@click.option("--template-right-delimiter", default="}}", show_default=True, help="Right action delimiter.")
def command(
    object_file: Path,
    data_file: Path | None,
    config_map_files: tuple[Path, ...],
    secret_files: tuple[Path, ...],
    output: Path | None,
    template_left_delimiter: str,
    template_right_delimiter: str,
) -> None:
    """Render an ExternalSecret's or PushSecret's template offline and print the Secret."""
    data = _b64_map(_load(data_file), str(data_file)) if data_file else {}
    sources = _sources(config_map_files, secret_files)
    try:
        engine = TemplateEngine(
            left_delimiter=template_left_delimiter, right_delimiter=template_right_delimiter
        )
        obj = parse(_load(object_file))
        secret = asyncio.run(_render(obj, data, sources, engine))
    except (EsoError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    text = yaml.safe_dump(secret, sort_keys=False, default_flow_style=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
