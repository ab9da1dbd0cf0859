"""Benchmark parameters: the command line of ``python -m bench`` (``make bench BENCH_ARGS=...``).

The default run (N = 1,000, refreshInterval 30 s, S2 over 2 refresh cycles, S3 at 10s and
30s, 10,000 unrelated Secrets in S4, features ``all`` and ``none``) is sized to finish in
under 15 minutes on 2 cores. ``--full`` is the issue's run: refreshInterval 1m, S2 over 10
minutes, S3 at 10s / 1m / 5m, 50,000 unrelated Secrets; combine it with ``--scale 10000``.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.operator import Features
from eso.api.duration import parse_duration

__all__ = ["SCENARIOS", "Params", "parse_args"]

SCENARIOS = ("S1", "S2", "S3", "S4", "S5", "S6")
RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Params:
    """Everything a run is configured with (recorded in the results JSON)."""

    scale: int = 1000
    full: bool = False
    scenarios: tuple[str, ...] = SCENARIOS
    features: tuple[str, ...] = ("all", "none")
    latency_ms: float = 20.0
    refresh: str = "30s"
    s2_cycles: float = 2.0
    s3_intervals: tuple[str, ...] = ("10s",)
    s3_fraction: float = 0.01
    unrelated: int = 10_000
    unrelated_size: int = 4096
    s6_new: int = 100
    create_concurrency: int = 50
    concurrent: int = 10
    client_qps: float = 300.0
    client_burst: int = 600
    converge_timeout: float = 0.0
    profile: bool = False
    tracemalloc: bool = False
    sandbox_dir: str = ""
    keep_sandbox: bool = False
    results_dir: str = str(RESULTS)
    argv: list[str] = field(default_factory=list)

    @property
    def refresh_seconds(self) -> float:
        """The main groups' refreshInterval in seconds."""
        return parse_duration(self.refresh)

    @property
    def feature_sets(self) -> list[Features]:
        """The feature sets S1/S2 run with; ``all`` always last (S3-S6 continue from it)."""
        sets = [Features.parse(f) for f in self.features]
        others = [f for f in sets if f.label != "all"]
        return [*others, Features()]

    def timeout(self) -> float:
        """How long S1 may take before it counts as failed."""
        return self.converge_timeout or max(300.0, self.scale * 0.25)

    def as_json(self) -> dict[str, Any]:
        """The parameters for the results file."""
        out = dataclasses.asdict(self)
        out["refresh_seconds"] = self.refresh_seconds
        out["feature_sets"] = [f.label for f in self.feature_sets]
        return out


def _list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def parse_args(argv: list[str]) -> Params:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="eso benchmarks S1-S6 (performance issue 7) against a local sandbox and an AWS stub.",
    )
    parser.add_argument("--scale", type=int, default=1000, help="N, the number of ExternalSecrets")
    parser.add_argument(
        "--full",
        action="store_true",
        help="the issue's run: refreshInterval 1m, S2 over 10 minutes, S3 at 10s,1m,5m",
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of S1..S6")
    parser.add_argument(
        "--features",
        default="all,none",
        help=(
            "feature sets for S1/S2: all, none, or +-joined share/batch/jitter/tick/versions "
            "(e.g. all,none,batch)"
        ),
    )
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency the AWS stub adds per call")
    parser.add_argument(
        "--refresh", default=None, help="refreshInterval of the main groups (default 30s, --full 1m)"
    )
    parser.add_argument(
        "--s2-cycles", type=float, default=None, help="S2 length in refresh cycles (default 2, --full 10)"
    )
    parser.add_argument(
        "--s3-intervals", default=None, help="extra S3 refreshIntervals (default 10s; --full 10s,5m)"
    )
    parser.add_argument(
        "--unrelated", type=int, default=None, help="unrelated Secrets for S4 (default 10000, --full 50000)"
    )
    parser.add_argument("--unrelated-size", type=int, default=4096, help="bytes of data per unrelated Secret")
    parser.add_argument("--s6-new", type=int, default=100, help="new ExternalSecrets created in S6")
    parser.add_argument(
        "--create-concurrency", type=int, default=50, help="concurrency of the benchmark's creates"
    )
    parser.add_argument("--concurrent", type=int, default=10, help="operator --concurrent")
    parser.add_argument("--client-qps", type=float, default=300.0, help="operator --client-qps")
    parser.add_argument("--client-burst", type=int, default=600, help="operator --client-burst")
    parser.add_argument(
        "--converge-timeout", type=float, default=0.0, help="S1 time limit (default max(300, N/4) s)"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace the operator's allocations: S4 gets who holds the memory (RSS figures are then inflated)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="run the operator under cProfile (slower; profiles in logs)"
    )
    parser.add_argument(
        "--sandbox-dir", default="", help="sandbox directory (default: a fresh temporary one)"
    )
    parser.add_argument("--keep-sandbox", action="store_true", help="leave the sandbox running at the end")
    parser.add_argument("--results-dir", default=str(RESULTS), help="where the JSON goes")
    ns = parser.parse_args(argv)
    scenarios = tuple(s.upper() for s in _list(ns.scenarios))
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; choose from {', '.join(SCENARIOS)}")
    features = _list(ns.features)
    try:
        for f in features:
            Features.parse(f)
    except ValueError as exc:
        parser.error(str(exc))
    refresh = ns.refresh or ("1m" if ns.full else "30s")
    params = Params(
        scale=ns.scale,
        full=ns.full,
        scenarios=scenarios,
        features=features,
        latency_ms=ns.latency_ms,
        refresh=refresh,
        s2_cycles=ns.s2_cycles if ns.s2_cycles is not None else (10.0 if ns.full else 2.0),
        s3_intervals=_list(ns.s3_intervals)
        if ns.s3_intervals is not None
        else (("10s", "5m") if ns.full else ("10s",)),
        unrelated=ns.unrelated if ns.unrelated is not None else (50_000 if ns.full else 10_000),
        unrelated_size=ns.unrelated_size,
        s6_new=ns.s6_new,
        create_concurrency=ns.create_concurrency,
        concurrent=ns.concurrent,
        client_qps=ns.client_qps,
        client_burst=ns.client_burst,
        converge_timeout=ns.converge_timeout,
        profile=ns.profile,
        tracemalloc=ns.tracemalloc,
        sandbox_dir=ns.sandbox_dir,
        keep_sandbox=ns.keep_sandbox,
        results_dir=ns.results_dir,
        argv=list(argv),
    )
    try:
        params.refresh_seconds  # noqa: B018 - validates the duration
        for interval in params.s3_intervals:
            parse_duration(interval)
    except Exception as exc:
        parser.error(f"bad duration: {exc}")
    return params
