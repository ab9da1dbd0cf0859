"""`make demo` plays the seed tutorial end to end and prints the tutorial's results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_demo_prints_the_tutorials_results_and_stops_everything(tmp_path: Path) -> None:
    sandbox = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, str(ROOT / "hack" / "demo.py"), "--dir", str(sandbox)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out[-3000:] + result.stderr[-3000:]
    lines = out.splitlines()
    assert "Ready" in lines, "step 3: the SecretStore is Ready"
    secrets = {
        line.split()[0]: line.split()[1:3] for line in lines if line.startswith("myapp-") and "Opaque" in line
    }
    assert secrets == {"myapp-api-key-secret": ["Opaque", "1"], "myapp-database-secret": ["Opaque", "4"]}
    assert "sk-abc123def456ghi789jkl" in lines
    for env in (
        "API_KEY=sk-abc123def456ghi789jkl",
        "DB_USERNAME=dbadmin",
        "DB_PASSWORD=s3cur3P@ssw0rd!",
        "DB_HOST=mydb.example.com",
        "DB_PORT=5432",
    ):
        assert env in lines
    table = [line for line in lines if line.startswith(("myapp-api-key ", "myapp-database "))]
    assert len(table) == 2
    assert all("SecretSynced" in line and "True" in line for line in table)
    assert "spec.selector" in out, "step 7: the verbatim PushSecret is refused for its missing selector"
    assert "myapp-api-key-pushed → sk-abc123def456ghi789jkl" in out, "step 7: the pushed value, read back"
    status = subprocess.run(
        [sys.executable, "-m", "eso", "dev", "status", "--dir", str(sandbox)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert status.returncode != 0, "the demo stopped its sandbox"
