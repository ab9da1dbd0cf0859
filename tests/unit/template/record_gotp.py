"""Record what real Go text/template + sprig renders for every differential case.

Run after adding or changing a case (needs the ``gotp`` binary of the dev extras)::

    .venv/bin/python tests/unit/template/record_gotp.py

It writes ``tests/fixtures/templates/expected.json``: for each case id either
``{"ok": true, "out": <base64 of the exact output bytes>}`` or ``{"ok": false}``.
``test_differential.py`` compares eso with these records, and re-runs gotp to check that
the records are current.
"""

from __future__ import annotations

import base64
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.unit.template.gotp_oracle import EXPECTED, gotp_render, load_cases


def main() -> None:
    cases = [case for case in load_cases() if case.expect is None]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda c: gotp_render(c.template, c.data), cases))
    records: dict[str, dict[str, bool | str]] = {}
    for case, (ok, out) in zip(cases, results, strict=True):
        records[case.id] = {"ok": True, "out": base64.b64encode(out).decode()} if ok else {"ok": False}
    EXPECTED.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n")
    rendered = sum(1 for ok, _ in results if ok)
    print(f"recorded {len(records)} cases, {rendered} rendered")


if __name__ == "__main__":
    main()
