"""The ``eso`` command: ``run``, ``crds``, ``dev``, ``template``.

Each sub-command lives in its own module and is registered on :data:`main` here.
"""

from __future__ import annotations

import click

from eso import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eso")
def main() -> None:
    """eso: the External Secrets Operator, in Python."""


def _register() -> None:
    """Attach every sub-command module that is present."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            main.add_command(command)


_register()
