"""``python -m bench [--scale N] [--scenarios S1,S4] [--features all,none] ...`` (``make bench``)."""

from __future__ import annotations

import asyncio
import sys

from bench.params import parse_args
from bench.runner import run


def main() -> int:
    """Parse the flags and run; exit 1 when the run did not complete."""
    params = parse_args(sys.argv[1:])
    try:
        results = asyncio.run(run(params))
    except KeyboardInterrupt:
        return 130
    return 0 if results.get("completed") else 1


if __name__ == "__main__":
    sys.exit(main())
