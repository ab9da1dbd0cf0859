"""``eso crds``: print the CustomResourceDefinitions, or write one file per CRD.

The CRDs come from :mod:`eso.api.crds` (generated from the models). ``make crds``
runs ``eso crds --output-dir deploy/crds``; a unit test checks the committed files
are current.
"""

from __future__ import annotations

from pathlib import Path

import click

from eso.api import crds as crd_gen

__all__ = ["command"]


@click.command("crds")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, dir_okay=True, writable=True, path_type=Path),
    default=None,
    help="Write <group>_<plural>.yaml files into DIR instead of printing to stdout.",
    metavar="DIR",
)
def command(output_dir: Path | None) -> None:
    """Print eso's CustomResourceDefinitions as multi-document YAML."""
    crds = crd_gen.all_crds()
    if output_dir is None:
        click.echo(crd_gen.render_yaml(crds), nl=False)
        return
    output_dir.mkdir(parents=True, exist_ok=True)
    for crd in crds:
        path = output_dir / crd_gen.crd_file_name(crd)
        path.write_text(crd_gen.render_yaml([crd]), encoding="utf-8")
        click.echo(f"wrote {path}", err=True)
