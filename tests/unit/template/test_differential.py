"""eso's engine against real Go text/template + sprig, byte for byte.

The cases live in ``tests/fixtures/templates/cases_*.yaml``; what Go renders for each is
recorded in ``expected.json`` (``record_gotp.py``). A case passes when both render the same
bytes or both fail. ``test_records_match_live_gotp`` re-runs the Go binary so the records
cannot go stale.
"""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from eso.errors import TemplateError
from eso.template import TemplateEngine, go_bytes

from .gotp_oracle import EXPECTED, GOTP, Case, gotp_render, load_cases

CASES = load_cases()
RECORDS: dict[str, dict[str, object]] = json.loads(EXPECTED.read_text())


def _eso(engine: TemplateEngine, case: Case) -> tuple[bool, bytes]:
    try:
        return True, go_bytes(engine.render(case.id, case.template, case.data))
    except TemplateError:
        return False, b""


def _expected(case: Case) -> tuple[bool, bytes]:
    if case.expect is not None:
        return True, case.expect.encode()
    record = RECORDS[case.id]
    if not record["ok"]:
        return False, b""
    out = record["out"]
    assert isinstance(out, str)
    return True, base64.b64decode(out)


def test_suite_size() -> None:
    assert len(CASES) >= 200
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_same_bytes_as_go(engine: TemplateEngine, case: Case) -> None:
    want_ok, want = _expected(case)
    got_ok, got = _eso(engine, case)
    if want_ok:
        assert got_ok, f"Go rendered {want!r}, eso failed"
        assert got == want
    else:
        assert not got_ok, f"Go failed, eso rendered {got!r}"


def test_records_cover_every_case() -> None:
    oracle_cases = {case.id for case in CASES if case.expect is None}
    assert oracle_cases == set(RECORDS), "run tests/unit/template/record_gotp.py"


@pytest.mark.skipif(not GOTP.exists(), reason="the gotp oracle binary is not installed")
def test_records_match_live_gotp() -> None:
    cases = [case for case in CASES if case.expect is None]
    with ThreadPoolExecutor(max_workers=8) as pool:
        live = list(pool.map(lambda case: gotp_render(case.template, case.data), cases))
    stale = [case.id for case, result in zip(cases, live, strict=True) if result != _expected(case)]
    assert not stale, f"expected.json is stale for {stale}: run record_gotp.py"
