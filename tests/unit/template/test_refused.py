"""What templates must never reach: the environment, DNS and other Secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from eso.errors import TemplateError
from eso.template import TemplateEngine
from eso.template.functions import ESO_FUNCTION_NAMES, REFUSED_FUNCTIONS, function_map


@pytest.mark.parametrize(
    "source",
    [
        '{{ env "HOME" }}',
        '{{ expandenv "$HOME" }}',
        '{{ getHostByName "localhost" }}',
        '{{ getSecretKey "other-namespace" "secret" "key" }}',
        '{{ "HOME" | env }}',
        '{{ if false }}{{ env "HOME" }}{{ end }}',
    ],
)
def test_refused_functions_are_not_defined(engine: TemplateEngine, source: str) -> None:
    with pytest.raises(TemplateError, match="not defined"):
        engine.render("t", source, {})


def test_refused_names_are_absent_from_the_map(engine: TemplateEngine) -> None:
    assert {"env", "expandenv", "getHostByName", "getSecretKey"} <= REFUSED_FUNCTIONS
    assert not REFUSED_FUNCTIONS & set(function_map())
    assert not REFUSED_FUNCTIONS & engine.function_names


def test_the_full_eso_function_list_is_offered(engine: TemplateEngine) -> None:
    listed = (
        Path(__file__).resolve().parents[2] / "fixtures" / "templates" / "eso_sprig_functions.txt"
    ).read_text()
    eso_sprig = {line for line in listed.splitlines() if line and not line.startswith("#")}
    assert len(eso_sprig) == 209
    eso_own = {
        "pkcs12key", "pkcs12keyPass", "pkcs12cert", "pkcs12certPass", "pemToPkcs12", "pemToPkcs12Pass",
        "fullPemToPkcs12", "fullPemToPkcs12Pass", "pemTruststoreToPKCS12", "pemTruststoreToPKCS12Pass",
        "filterPEM", "filterCertChain", "certSANs", "jwkPublicKeyPem", "jwkPrivateKeyPem", "toYaml",
        "fromYaml", "rsaDecrypt",
    }  # fmt: skip
    builtins = {"and", "or", "not", "len", "index", "print", "printf", "println", "html", "js", "urlquery"}
    builtins |= {"eq", "ne", "lt", "le", "gt", "ge", "call"}
    assert eso_own == ESO_FUNCTION_NAMES
    assert engine.function_names == eso_sprig | eso_own | builtins
