"""``eso dev up|down|status``: the local sandbox (real control plane + AWS emulator).

``--dir`` defaults to ``$ESO_SANDBOX_DIR`` (set by ``source DIR/env``), else
``${XDG_CACHE_HOME:-~/.cache}/eso/sandbox/default``. The sandbox itself lives in
:mod:`eso.sandbox`; this module only parses flags and prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["command"]

_DIR_HELP = (
    "sandbox directory [default: $ESO_SANDBOX_DIR, else ${XDG_CACHE_HOME:-~/.cache}/eso/sandbox/default]"
)


def _echo(line: str) -> None:
    click.echo(line, err=True)


def _resolve(directory: Path | None) -> Path:
    if directory is not None:
        return directory
    from eso.sandbox import default_dir

    path = default_dir()
    _echo(f"using the default sandbox directory {path}")
    return path


_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ESO_SANDBOX_DIR",
    default=None,
    help=_DIR_HELP,
)


@click.group("dev")
def command() -> None:
    """Local sandbox: real etcd, kube-apiserver, kube-controller-manager and moto on 127.0.0.1."""


@command.command("up")
@_dir_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=120.0,
    show_default=True,
    help="seconds to wait for all components to be ready",
)
def up(directory: Path | None, timeout: float) -> None:
    """Start the sandbox (or reuse the one running in DIR) and print how to use it."""
    from eso.errors import EsoError
    from eso.sandbox import Sandbox

    sandbox = Sandbox(_resolve(directory), echo=_echo, timeout=timeout)
    try:
        sandbox.up()
    except EsoError as exc:
        raise click.ClickException(str(exc)) from exc


@command.command("down")
@_dir_option
def down(directory: Path | None) -> None:
    """Stop exactly the processes that `eso dev up` started in DIR."""
    from eso.sandbox import Sandbox

    Sandbox(_resolve(directory), echo=_echo).down()


@command.command("status")
@_dir_option
def status(directory: Path | None) -> None:
    """Show each component's pid, port and state; exit 1 unless all are up and ready."""
    from eso.sandbox import Sandbox

    sandbox = Sandbox(_resolve(directory))
    report = sandbox.status()
    rows = [("COMPONENT", "PID", "PORT", "ALIVE", "READY", "URL")]
    for c in report.components:
        rows.append(
            (
                c.name,
                str(c.pid) if c.pid is not None else "-",
                str(c.port) if c.port is not None else "-",
                "yes" if c.alive else "no",
                "yes" if c.ready else "no",
                c.url or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    click.echo(f"sandbox {sandbox.root}")
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if report.info is not None:
        versions = ", ".join(f"{k} {v}" for k, v in sorted(report.info.versions.items()))
        click.echo(f"versions: {versions}")
        click.echo(f"env: source {report.info.env}")
    if not report.all_ready:
        state = "partly running" if report.anything_running else "not running"
        click.echo(f"sandbox is {state} (logs in {sandbox.logs_dir})", err=True)
        sys.exit(1)
