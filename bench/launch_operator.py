"""``eso run`` with the efficiency features switched on or off (benchmarks only).

``python -m bench.launch_operator [--bench-share-reads=false] [--bench-batch-reads=false]
[--bench-refresh-jitter=0] [--bench-refresh-tick=0] [--bench-check-versions=false]
[--bench-read-batch-window=0.005] [--bench-profile=PATH] -- <eso run flags>`` runs exactly
``eso run <flags>`` with the given :class:`~eso.settings.ControllerSettings` fields replaced
(and, with ``--bench-profile``, under cProfile on the process CPU clock, so time spent
waiting for a core on a busy machine is not charged to the code; with
``--bench-tracemalloc=PATH``, tracing allocations, a snapshot written to PATH on SIGUSR2).
``eso run`` has no flags for them (they are on by default); the benchmark's features-on/off
runs (S1, S2) need them.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["main"]


def _bool(value: str) -> bool:
    return value.lower() in ("1", "true", "yes", "on")


_FIELDS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "--bench-share-reads": ("share_reads", _bool),
    "--bench-batch-reads": ("batch_reads", _bool),
    "--bench-refresh-jitter": ("refresh_jitter", float),
    "--bench-refresh-tick": ("refresh_tick", float),
    "--bench-read-batch-window": ("read_batch_window", float),
    "--bench-check-versions": ("check_versions", _bool),
}


def _trace_memory(path: str) -> None:
    """Trace allocations; each SIGUSR2 writes a snapshot to ``path`` (then ``path`` + ``.done``)."""
    import signal
    import tracemalloc

    tracemalloc.start(12)

    def dump(signum: int, frame: Any) -> None:
        tracemalloc.take_snapshot().dump(path)
        with open(path + ".done", "w", encoding="ascii") as fh:
            fh.write("ok")

    signal.signal(signal.SIGUSR2, dump)


def main(argv: list[str] | None = None) -> None:
    """Parse the ``--bench-*`` overrides, then hand the rest to ``eso run``."""
    args = list(sys.argv[1:] if argv is None else argv)
    overrides: dict[str, Any] = {}
    rest: list[str] = []
    profile = ""
    for arg in args:
        flag, _, value = arg.partition("=")
        if flag == "--bench-profile":
            profile = value
        elif flag == "--bench-tracemalloc":
            _trace_memory(value)
        elif flag in _FIELDS:
            name, convert = _FIELDS[flag]
            overrides[name] = convert(value)
        elif arg != "--":
            rest.append(arg)

    import eso.cli.run as run

    original = run.build_settings

    def build_settings(**opts: Any) -> Any:
        settings = original(**opts)
        return dataclasses.replace(settings, controller=dataclasses.replace(settings.controller, **overrides))

    run.build_settings = build_settings
    if not profile:
        run.command.main(args=rest, prog_name="eso run")
        return
    import cProfile
    import time

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        run.command.main(args=rest, prog_name="eso run")
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


if __name__ == "__main__":
    main()
