"""``eso crds`` prints the CRDs or writes one file per CRD."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from eso.api.crds import all_crds, crd_file_name, render_yaml
from eso.cli import main


def test_eso_crds_prints_every_crd_as_multi_document_yaml() -> None:
    result = CliRunner().invoke(main, ["crds"])
    assert result.exit_code == 0, result.output
    assert result.stdout == render_yaml(all_crds())
    kinds = [doc["spec"]["names"]["kind"] for doc in yaml.safe_load_all(result.stdout)]
    assert kinds[:4] == ["ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore"]


def test_eso_crds_writes_one_file_per_crd(tmp_path: Path) -> None:
    out = tmp_path / "crds"
    result = CliRunner().invoke(main, ["crds", "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    expected = {crd_file_name(crd): render_yaml([crd]) for crd in all_crds()}
    assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == expected
