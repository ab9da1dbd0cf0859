"""Nondeterministic functions (clock, randomness, key generation): checked for shape, not bytes."""

from __future__ import annotations

import base64
import re
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from eso.template import TemplateEngine


def run(engine: TemplateEngine, source: str) -> str:
    return engine.render("t", source, {"one": "foo1-val"})


@pytest.mark.parametrize(
    ("source", "pattern"),
    [
        ("{{ randAlpha 12 }}", r"[A-Za-z]{12}"),
        ("{{ randAlphaNum 12 }}", r"[A-Za-z0-9]{12}"),
        ("{{ randNumeric 8 }}", r"[0-9]{8}"),
        ("{{ randAscii 10 }}", r"[ -~]{10}"),
        ("{{ randInt 5 10 }}", r"[5-9]"),
        ("{{ uuidv4 }}", r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"),
        ('{{ now | date "2006-01-02" }}', r"\d{4}-\d{2}-\d{2}"),
        ("{{ now | unixEpoch }}", r"\d{10}"),
        ("{{ now | ago }}", r"\d+(ns|µs|ms|s)|0s"),
        ('{{ shuffle "abcdef" | len }}', r"6"),
        ("{{ now }}", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? [+-]\d{4} \S+.*"),
    ],
)
def test_shape(engine: TemplateEngine, source: str, pattern: str) -> None:
    assert re.fullmatch(pattern, run(engine, source))


def test_rand_bytes(engine: TemplateEngine) -> None:
    assert len(base64.b64decode(run(engine, "{{ randBytes 24 }}"))) == 24
    assert uuid.UUID(run(engine, "{{ uuidv4 }}")).version == 4


def test_shuffle_keeps_the_letters(engine: TemplateEngine) -> None:
    assert sorted(run(engine, '{{ shuffle "abcdef" }}')) == list("abcdef")


@pytest.mark.parametrize(("kind", "header"), [("ecdsa", "EC PRIVATE KEY"), ("ed25519", "PRIVATE KEY")])
def test_gen_private_key(engine: TemplateEngine, kind: str, header: str) -> None:
    pem = run(engine, f'{{{{ genPrivateKey "{kind}" }}}}')
    assert pem.startswith(f"-----BEGIN {header}-----\n")
    serialization.load_pem_private_key(pem.encode(), password=None)


def test_gen_ca_and_signed_cert(engine: TemplateEngine) -> None:
    source = (
        '{{ $ca := genCA "my-ca" 365 }}'
        '{{ $c := genSignedCert "svc" (list "10.0.0.1") (list "svc.local") 30 $ca }}'
        '{{ $ca.Cert }}{{ $c.Cert }}{{ $c.Key | len | printf "%d" }}'
    )
    out = run(engine, source)
    certs = x509.load_pem_x509_certificates(
        out.rsplit("-----END CERTIFICATE-----\n", 1)[0].encode() + b"-----END CERTIFICATE-----\n"
    )
    assert [c.subject.rfc4514_string() for c in certs] == ["CN=my-ca", "CN=svc"]
    assert certs[1].issuer == certs[0].subject


def test_bcrypt(engine: TemplateEngine) -> None:
    hashed = run(engine, '{{ bcrypt "password" }}')
    assert re.fullmatch(r"\$2a\$10\$[./A-Za-z0-9]{53}", hashed)


def test_encrypt_aes_is_random_but_decrypts(engine: TemplateEngine) -> None:
    first = run(engine, '{{ encryptAES "k" "text" }}')
    assert first != run(engine, '{{ encryptAES "k" "text" }}')
    assert run(engine, f'{{{{ "{first}" | decryptAES "k" }}}}') == "text"
