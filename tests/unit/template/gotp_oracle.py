"""The differential cases and the Go oracle (``gotp``: real Go text/template + sprig v3).

``gotp - --text --sprig --strict -d JSON`` reads the template on stdin, renders it with
``missingkey=error`` over the JSON data and prints the exact bytes; it exits non-zero on
a parse or execution error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "templates"
EXPECTED = FIXTURES / "expected.json"
GOTP = Path(sys.executable).parent / "gotp"


@dataclass(frozen=True)
class Case:
    """One differential case."""

    id: str
    template: str
    data: dict[str, str]
    expect: str | None = None
    """Set only where gotp cannot be the oracle (a sprig 3.3 function ESO has, gotp's 3.2.3 lacks)."""


def default_data() -> dict[str, str]:
    """The context of cases that do not bring their own."""
    data = yaml.safe_load((FIXTURES / "data.yaml").read_text())
    return {str(k): str(v) for k, v in data.items()}


def load_cases() -> list[Case]:
    """Every case of ``cases_*.yaml``, in file order."""
    base = default_data()
    cases: list[Case] = []
    for path in sorted(FIXTURES.glob("cases_*.yaml")):
        for raw in yaml.safe_load(path.read_text()):
            data = raw.get("data", base)
            strings = {str(k): str(v) for k, v in data.items()}
            cases.append(Case(raw["id"], raw["tpl"], strings, raw.get("expect")))
    return cases


def gotp_render(template: str, data: dict[str, str]) -> tuple[bool, bytes]:
    """``(True, output)`` or ``(False, b"")`` from the real Go engine."""
    proc = subprocess.run(
        [str(GOTP), "-", "--text", "--sprig", "--strict", "-d", json.dumps(data)],
        input=template.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    return (proc.returncode == 0, proc.stdout if proc.returncode == 0 else b"")
