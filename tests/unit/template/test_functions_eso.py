"""ESO's own template functions (not in Go's sprig, so no gotp oracle): fixed vectors and round trips."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from eso.errors import TemplateError
from eso.template import TemplateEngine, go_bytes, go_string

from .keys import Chain, key_pem, make_chain, pem, self_signed


@pytest.fixture(scope="module")
def chain() -> Chain:
    return make_chain()


def run(engine: TemplateEngine, source: str, **data: str | bytes) -> str:
    context = {k: v if isinstance(v, str) else go_string(v) for k, v in data.items()}
    return engine.render("t", source, context)


def certs_of(text: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(text.encode()) if text else []


# --- PKCS#12


def test_pem_to_pkcs12_round_trip(engine: TemplateEngine, chain: Chain) -> None:
    p12 = run(engine, "{{ pemToPkcs12 .cert .key }}", cert=pem(chain.leaf), key=key_pem(chain.leaf_key))
    archive = pkcs12.load_pkcs12(base64.b64decode(p12), None)
    assert archive.cert is not None
    assert archive.cert.certificate == chain.leaf
    assert archive.additional_certs == []
    again_cert = run(engine, "{{ .p12 | b64dec | pkcs12cert }}", p12=p12)
    again_key = run(engine, "{{ .p12 | b64dec | pkcs12key }}", p12=p12)
    assert again_cert == pem(chain.leaf)
    assert again_key == key_pem(chain.leaf_key)


def test_pem_to_pkcs12_pass_round_trip(engine: TemplateEngine, chain: Chain) -> None:
    p12 = run(
        engine, '{{ pemToPkcs12Pass .cert .key "s3cret" }}', cert=pem(chain.leaf), key=key_pem(chain.leaf_key)
    )
    archive = pkcs12.load_pkcs12(base64.b64decode(p12), b"s3cret")
    assert archive.key is not None
    raw = go_string(base64.b64decode(p12))
    assert run(engine, '{{ pkcs12keyPass "s3cret" .p12 }}', p12=raw) == key_pem(chain.leaf_key)
    assert run(engine, '{{ pkcs12certPass "s3cret" .p12 }}', p12=raw) == pem(chain.leaf)
    with pytest.raises(TemplateError, match="unable to decode pkcs12 with password") as caught:
        run(engine, '{{ pkcs12keyPass "wrong" .p12 }}', p12=raw)
    assert "s3cret" not in str(caught.value)


def test_full_pem_to_pkcs12_orders_the_chain(engine: TemplateEngine, chain: Chain) -> None:
    full = pem(chain.leaf) + pem(chain.root) + pem(chain.intermediate)  # CA certs out of order
    p12 = run(engine, "{{ fullPemToPkcs12 .chain .key }}", chain=full, key=key_pem(chain.leaf_key))
    raw = go_string(base64.b64decode(p12))
    assert certs_of(run(engine, "{{ pkcs12cert .p12 }}", p12=raw)) == [
        chain.leaf,
        chain.intermediate,
        chain.root,
    ]
    p12 = run(engine, '{{ fullPemToPkcs12Pass .chain .key "pw" }}', chain=full, key=key_pem(chain.leaf_key))
    raw = go_string(base64.b64decode(p12))
    got = certs_of(run(engine, '{{ pkcs12certPass "pw" .p12 }}', p12=raw))
    assert got == [chain.leaf, chain.intermediate, chain.root]


def test_pkcs12_of_an_archive_made_elsewhere(engine: TemplateEngine, chain: Chain) -> None:
    encryption = serialization.BestAvailableEncryption(b"pw")
    data = pkcs12.serialize_key_and_certificates(
        b"x", chain.leaf_key, chain.leaf, [chain.intermediate], encryption
    )
    got = run(engine, '{{ .p12 | b64dec | pkcs12certPass "pw" }}', p12=base64.b64encode(data).decode())
    assert certs_of(got) == [chain.leaf, chain.intermediate]


def test_pkcs12_needs_a_key_and_a_certificate(engine: TemplateEngine, chain: Chain) -> None:
    store = run(engine, "{{ pemTruststoreToPKCS12 .ca }}", ca=pem(chain.root))
    with pytest.raises(TemplateError, match="private key missing"):
        run(engine, "{{ .p12 | b64dec | pkcs12cert }}", p12=store)
    with pytest.raises(TemplateError, match="unable to decode pkcs12"):
        run(engine, "{{ pkcs12key .junk }}", junk="not an archive")


def test_truststore(engine: TemplateEngine, chain: Chain) -> None:
    bundle = pem(chain.root) + pem(chain.intermediate)
    for source, password in (
        ("{{ pemTruststoreToPKCS12 .ca }}", None),
        ('{{ pemTruststoreToPKCS12Pass .ca "pw" }}', b"pw"),
    ):
        archive = pkcs12.load_pkcs12(base64.b64decode(run(engine, source, ca=bundle)), password)
        assert archive.key is None
        assert [c.certificate for c in archive.additional_certs] == [chain.root, chain.intermediate]
        assert [c.friendly_name for c in archive.additional_certs] == [b"CN=root", b"CN=intermediate"]


def test_pem_to_pkcs12_errors(engine: TemplateEngine, chain: Chain) -> None:
    with pytest.raises(TemplateError, match="failed to decode PEM block containing the certificate"):
        run(engine, "{{ pemToPkcs12 .cert .key }}", cert="nothing", key=key_pem(chain.leaf_key))
    with pytest.raises(TemplateError, match="private key"):
        run(engine, "{{ pemToPkcs12 .cert .key }}", cert=pem(chain.leaf), key="nothing")


# --- PEM


def test_filter_pem(engine: TemplateEngine, chain: Chain) -> None:
    mixed = "junk before\n" + key_pem(chain.leaf_key) + pem(chain.leaf) + pem(chain.root) + "trailing"
    assert run(engine, '{{ filterPEM "CERTIFICATE" .v }}', v=mixed) == pem(chain.leaf) + pem(chain.root)
    assert run(engine, '{{ filterPEM "private key" .v }}', v=mixed) == key_pem(chain.leaf_key)
    assert run(engine, '{{ filterPEM "NONE" .v }}', v=pem(chain.leaf)) == ""
    with pytest.raises(TemplateError, match="found junk"):
        run(engine, '{{ filterPEM "CERTIFICATE" .v }}', v="no pem here")


def test_filter_pem_keeps_headers(engine: TemplateEngine) -> None:
    block = "-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES\n\nAAEC\n-----END X-----\n"
    assert run(engine, '{{ filterPEM "X" .v }}', v="lead\n" + block) == block


def test_filter_cert_chain(engine: TemplateEngine, chain: Chain) -> None:
    scrambled = pem(chain.root) + pem(chain.leaf) + pem(chain.intermediate)
    assert run(engine, '{{ filterCertChain "leaf" .v }}', v=scrambled) == pem(chain.leaf)
    assert run(engine, '{{ filterCertChain "intermediate" .v }}', v=scrambled) == pem(chain.intermediate)
    assert run(engine, '{{ filterCertChain "root" .v }}', v=scrambled) == pem(chain.root)
    assert run(engine, '{{ filterCertChain "other" .v }}', v=scrambled) == ""


def test_filter_cert_chain_single_self_signed(engine: TemplateEngine) -> None:
    cert, _ = self_signed()
    assert run(engine, '{{ filterCertChain "leaf" .v }}', v=pem(cert)) == ""
    assert run(engine, '{{ filterCertChain "intermediate" .v }}', v=pem(cert)) == ""
    assert run(engine, '{{ filterCertChain "root" .v }}', v=pem(cert)) == pem(cert)


def test_filter_cert_chain_disjunct(engine: TemplateEngine, chain: Chain) -> None:
    other, _ = self_signed()
    with pytest.raises(TemplateError, match="found multiple leaf or disjunct certificates"):
        run(engine, '{{ filterCertChain "leaf" .v }}', v=pem(chain.leaf) + pem(other))


def test_cert_sans_order(engine: TemplateEngine, chain: Chain) -> None:
    got = run(engine, '{{ certSANs .v | join "," }}', v="junk\n" + pem(chain.leaf))
    expected = [
        "app.example.com",
        "www.example.com",
        "10.0.0.1",
        "2001:db8::1",
        "ops@example.com",
        "spiffe://cluster.local/ns/a/sa/b",
    ]
    assert got == ",".join(expected)
    assert run(engine, "{{ certSANs .v | len }}", v=pem(chain.root)) == "0"
    with pytest.raises(TemplateError, match="failed to decode PEM block"):
        run(engine, "{{ certSANs .v }}", v="nothing")


# --- JWK


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8 or 1, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _spki(key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def test_jwk_rsa(engine: TemplateEngine) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    n = key.private_numbers()
    public = {
        "kty": "RSA",
        "kid": "k1",
        "use": "sig",
        "n": _b64url(n.public_numbers.n),
        "e": _b64url(n.public_numbers.e),
    }
    private = {
        **public,
        "d": _b64url(n.d),
        "p": _b64url(n.p),
        "q": _b64url(n.q),
        "dp": _b64url(n.dmp1),
        "dq": _b64url(n.dmq1),
        "qi": _b64url(n.iqmp),
    }
    assert run(engine, "{{ jwkPublicKeyPem .k }}", k=json.dumps(public)) == _spki(key.public_key())
    assert run(engine, "{{ jwkPrivateKeyPem .k }}", k=json.dumps(private)) == key_pem(key)
    only_d = {k: v for k, v in private.items() if k not in ("p", "q", "dp", "dq", "qi")}
    assert run(engine, "{{ jwkPrivateKeyPem .k }}", k=json.dumps(only_d)) == key_pem(key)
    with pytest.raises(TemplateError, match=r"unsupported public key type: \*rsa.PrivateKey"):
        run(engine, "{{ jwkPublicKeyPem .k }}", k=json.dumps(private))
    with pytest.raises(TemplateError, match=r"unknown key type while marshaling PKCS#8: \*rsa.PublicKey"):
        run(engine, "{{ jwkPrivateKeyPem .k }}", k=json.dumps(public))


@pytest.mark.parametrize(
    ("crv", "curve", "size"), [("P-256", ec.SECP256R1(), 32), ("P-384", ec.SECP384R1(), 48)]
)
def test_jwk_ec(engine: TemplateEngine, crv: str, curve: ec.EllipticCurve, size: int) -> None:
    key = ec.generate_private_key(curve)
    numbers = key.private_numbers()

    def coord(value: int) -> str:
        return base64.urlsafe_b64encode(value.to_bytes(size, "big")).rstrip(b"=").decode()

    public = {
        "kty": "EC",
        "crv": crv,
        "x": coord(numbers.public_numbers.x),
        "y": coord(numbers.public_numbers.y),
    }
    assert run(engine, "{{ jwkPublicKeyPem .k }}", k=json.dumps(public)) == _spki(key.public_key())
    private = {**public, "d": coord(numbers.private_value)}
    assert run(engine, "{{ jwkPrivateKeyPem .k }}", k=json.dumps(private)) == key_pem(key)


def test_jwk_ed25519_and_errors(engine: TemplateEngine) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    x = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(x).rstrip(b"=").decode()}
    assert run(engine, "{{ jwkPublicKeyPem .k }}", k=json.dumps(jwk)) == _spki(key.public_key())
    for bad, why in (
        ('{"kty":"oct","k":"c2VjcmV0"}', "unsupported public key type"),
        ("not json", "failed to parse JWK"),
        ('{"kty":"RSA"}', "failed to parse JWK"),
        ('{"kty":"EC","crv":"P-999","x":"AA","y":"AA"}', "unsupported curve"),
    ):
        with pytest.raises(TemplateError, match=why) as caught:
            run(engine, "{{ jwkPublicKeyPem .k }}", k=bad)
        assert "c2VjcmV0" not in str(caught.value)


# --- rsaDecrypt


@pytest.mark.parametrize(
    ("name", "algorithm"),
    [
        ("SHA256", hashes.SHA256()),
        ("SHA1", hashes.SHA1()),
        ("SHA512", hashes.SHA512()),
        ("None", hashes.SHA256()),
    ],
)
def test_rsa_decrypt_oaep_round_trip(
    engine: TemplateEngine, name: str, algorithm: hashes.HashAlgorithm
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=algorithm), algorithm=algorithm, label=None)
    ciphertext = key.public_key().encrypt(b"the plaintext \xff", oaep)
    source = f'{{{{ .key | rsaDecrypt "RSA-OAEP" "{name}" (.ct | b64dec) }}}}'
    got = run(engine, source, key=key_pem(key), ct=base64.b64encode(ciphertext).decode())
    assert go_bytes(got) == b"the plaintext \xff"


def test_rsa_decrypt_errors(engine: TemplateEngine) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert run(engine, '{{ rsaDecrypt "None" "SHA256" .ct .key }}', ct="as is", key="") == "as is"
    with pytest.raises(TemplateError, match="decryption scheme RSA-PKCS1 is not supported"):
        run(engine, '{{ rsaDecrypt "RSA-PKCS1" "SHA256" .ct .key }}', ct="x", key=key_pem(key))
    with pytest.raises(TemplateError, match="failed to decode PEM block"):
        run(engine, '{{ rsaDecrypt "RSA-OAEP" "SHA256" .ct .key }}', ct="x", key="no pem")
    ec_key = key_pem(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(TemplateError, match="could not parse RSA private key"):
        run(engine, '{{ rsaDecrypt "RSA-OAEP" "SHA256" .ct .key }}', ct="x", key=ec_key)
    with pytest.raises(TemplateError, match="error decrypting data with RSA"):
        run(engine, '{{ rsaDecrypt "RSA-OAEP" "SHA256" .ct .key }}', ct="not a ciphertext", key=key_pem(key))


# --- YAML (sigs.k8s.io/yaml over go-yaml v2)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ toYaml (dict "b" (list 1 2) "a" "x") }}', "a: x\nb:\n- 1\n- 2"),
        (
            '{{ toYaml (dict "k" "true" "e" "" "n" "1.5" "y" "y" "t" "2024-01-02") }}',
            'e: ""\nk: "true"\n"n": "1.5"\nt: "2024-01-02"\n"y": "y"',
        ),
        ('{{ toYaml (dict "m" "line1\\nline2") }}', "m: |-\n  line1\n  line2"),
        ('{{ toYaml (dict "a10" 1 "a2" 2 "a1" 3 "B" 4) }}', "B: 4\na1: 3\na2: 2\na10: 1"),
        (
            '{{ toYaml (dict "f" 1.0 "g" 2.5 "h" 1e21 "i" 1234567.5) }}',
            "f: 1\ng: 2.5\nh: 1e+21\ni: 1.2345675e+06",
        ),
        ("{{ toYaml . }}", "one: foo1-val"),
        ('{{ toYaml "plain" }}', "plain"),
        ("{{ toYaml nil }}", "null"),
        ("{{ toYaml (list) }}", "[]"),
        ('{{ toYaml (dict "m" (dict "x" (list (dict "a" 1 "b" 2)))) }}', "m:\n  x:\n  - a: 1\n    b: 2"),
        ('{{ toYaml (dict "s" ": colon" "q" "it\'s") }}', "q: it's\ns: ': colon'"),
    ],
)
def test_to_yaml(engine: TemplateEngine, source: str, expected: str) -> None:
    assert run(engine, source, one="foo1-val") == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('{{ (fromYaml "a: 1\\nb: [x, z, y]").b }}', "[x z true]"),
        ('{{ (fromYaml "a: 1").a | printf "%T" }}', "float64"),
        ('{{ (fromYaml "a: 1").a }}', "1"),
        ('{{ (fromYaml "on: yes").true }}', "true"),
        ('{{ (fromYaml "d: 2024-01-02").d }}', "2024-01-02"),
        ('{{ fromYaml "" | len }}', "0"),
        (
            '{{ (fromYaml "- a").Error }}',
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array "
            "into Go value of type map[string]interface {}",
        ),
        ('{{ hasKey (fromYaml "a: [") "Error" }}', "true"),
        ("{{ (fromYaml .y).k }}", "v"),
    ],
)
def test_from_yaml(engine: TemplateEngine, source: str, expected: str) -> None:
    assert run(engine, source, y="k: v\n---\nother: doc") == expected


# --- byte-exact encodings (sprig's, rewritten) and hexdec (ESO's vendored sprig)


def test_encodings_keep_binary_bytes(engine: TemplateEngine) -> None:
    blob = bytes(range(256))
    b64 = base64.b64encode(blob).decode()
    assert run(engine, "{{ .v | b64enc }}", v=blob) == b64
    assert go_bytes(run(engine, "{{ .v | b64dec }}", v=b64)) == blob
    assert go_bytes(run(engine, "{{ .v | b32enc | b32dec }}", v=blob)) == blob
    assert run(engine, "{{ .v | len }}", v=blob) == "256"
    assert (
        run(engine, "{{ .v | sha256sum }}", v=blob)
        == "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880"
    )
    assert run(engine, "{{ .v | sha1sum }}", v=blob) == "4916d6bdb7f78e6803698cab32d1586ea457dfc8"
    assert run(engine, "{{ .v | adler32sum }}", v=blob) == "2918612865"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("68656c6c6f", b"hello"),
        ("FF00", b"\xff\x00"),
        ("", b""),
        ("abc", b"encoding/hex: odd length hex string"),
        ("zz", b"encoding/hex: invalid byte: U+007A 'z'"),
        ("0g", b"encoding/hex: invalid byte: U+0067 'g'"),
        ("00\n", b"encoding/hex: invalid byte: U+000A"),
    ],
)
def test_hexdec(engine: TemplateEngine, value: str, expected: bytes) -> None:
    assert go_bytes(run(engine, "{{ hexdec .v }}", v=value)) == expected


def test_htpasswd_takes_an_algorithm(engine: TemplateEngine) -> None:
    digest = base64.b64encode(hashlib.sha1(b"pass").digest()).decode()
    assert run(engine, '{{ htpasswd "user" "pass" "sha" }}') == f"user:{{SHA}}{digest}"
    assert run(engine, '{{ htpasswd "a:b" "pass" "sha" }}') == "invalid username: a:b"
    user, hashed = run(engine, '{{ htpasswd "user" "pass" "bcrypt" }}').split(":", 1)
    assert user == "user"
    assert hashed.startswith("$2a$10$")
    assert len(hashed) == 60
