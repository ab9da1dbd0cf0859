"""PKCS#12 functions: read keys and certificates out of an archive, and build archives.

Reading (``pkcs12key``, ``pkcs12cert`` and their ``Pass`` variants) takes the *raw*
archive bytes as a Go string (usually ``.value | b64dec``), needs both a private key and
a certificate in it (as Go's ``go-pkcs12.DecodeChain`` does) and gives PEM: the key as
unencrypted PKCS#8 ``PRIVATE KEY``, the certificates leaf first, then the others, ordered
into a chain when the AuthorityKeyId/SubjectKeyId links allow (otherwise as stored).

Writing (``pemToPkcs12``, ``fullPemToPkcs12``, ``pemTruststoreToPKCS12`` and their
``Pass`` variants) returns the archive base64-encoded, encrypted like go-pkcs12's
``Modern`` encoder (PBES2 AES-256-CBC, PBKDF2-HMAC-SHA256, SHA-256 MAC, 2048 rounds).
One difference: OpenSSL refuses an *empty* password for encryption, so an archive
without a password is written unencrypted (readable with an empty or no password, as
a passwordless archive from go-pkcs12 is). Truststore entries carry the Java "trusted
certificate" attribute and the subject as friendly name, as go-pkcs12 does.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable, Mapping

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from eso.template.functions.pem import encode_certificate, order_chain, parse_certificates, pem_decode
from eso.template.gostr import go_bytes, go_string

__all__ = ["pkcs12_functions"]

_ROUNDS = 2048
_ARCHIVE_KEYS = (
    rsa.RSAPrivateKey,
    dsa.DSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)


def _load(password: str, archive: str, what: str) -> pkcs12.PKCS12KeyAndCertificates:
    data = go_bytes(archive)
    secret = go_bytes(password)
    attempts: list[bytes | None] = [secret] if secret else [b"", None]
    for attempt in attempts:
        try:
            loaded = pkcs12.load_pkcs12(data, attempt)
        except ValueError:
            continue
        if loaded.key is None:
            raise ValueError(f"unable to decode pkcs12{what} with password: pkcs12: private key missing")
        if loaded.cert is None:
            raise ValueError(f"unable to decode pkcs12{what} with password: pkcs12: certificate missing")
        return loaded
    raise ValueError(f"unable to decode pkcs12{what} with password: invalid password or PKCS#12 data")


def pkcs12key_pass(password: str, archive: str) -> str:
    """``pkcs12keyPass``: the private key as PKCS#8 PEM."""
    key = _load(password, archive, "").key
    assert key is not None
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return go_string(pem)


def pkcs12key(archive: str) -> str:
    """``pkcs12key``: ``pkcs12keyPass`` with an empty password."""
    return pkcs12key_pass("", archive)


def pkcs12cert_pass(password: str, archive: str) -> str:
    """``pkcs12certPass``: the certificates as PEM, ordered into a chain when possible."""
    loaded = _load(password, archive, " certificate")
    assert loaded.cert is not None
    certs = [loaded.cert.certificate] + [extra.certificate for extra in loaded.additional_certs]
    with contextlib.suppress(ValueError):
        certs = order_chain(certs)
    return go_string(b"".join(encode_certificate(c.public_bytes(serialization.Encoding.DER)) for c in certs))


def pkcs12cert(archive: str) -> str:
    """``pkcs12cert``: ``pkcs12certPass`` with an empty password."""
    return pkcs12cert_pass("", archive)


def _encryption(password: str) -> serialization.KeySerializationEncryption:
    secret = go_bytes(password)
    if not secret:
        return serialization.NoEncryption()
    return (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(secret)
    )


def _first_certificate(cert_pem: str) -> tuple[x509.Certificate, bytes]:
    block, rest = pem_decode(go_bytes(cert_pem))
    if block is None:
        raise ValueError("failed to decode PEM block containing the certificate")
    try:
        return x509.load_der_x509_certificate(block.data), rest
    except ValueError:
        raise ValueError("x509: malformed certificate") from None


def _private_key(key_pem: str) -> pkcs12.PKCS12PrivateKeyTypes:
    block, _ = pem_decode(go_bytes(key_pem))
    if block is None:
        raise ValueError("failed to decode PEM block containing the private key")
    try:
        key = serialization.load_der_private_key(block.data, password=None)
    except (ValueError, TypeError):
        raise ValueError("unable to parse private key type") from None
    if not isinstance(key, _ARCHIVE_KEYS):
        raise ValueError("unable to parse private key type")
    return key


def _archive(cert: x509.Certificate, key_pem: str, cas: list[x509.Certificate], password: str) -> str:
    data = pkcs12.serialize_key_and_certificates(
        None, _private_key(key_pem), cert, cas or None, _encryption(password)
    )
    return base64.b64encode(data).decode("ascii")


def pem_to_pkcs12_pass(cert_pem: str, key_pem: str, password: str) -> str:
    """``pemToPkcs12Pass``: the first certificate and the key, base64 PKCS#12."""
    cert, _ = _first_certificate(cert_pem)
    return _archive(cert, key_pem, [], password)


def pem_to_pkcs12(cert_pem: str, key_pem: str) -> str:
    """``pemToPkcs12``: without a password."""
    return pem_to_pkcs12_pass(cert_pem, key_pem, "")


def full_pem_to_pkcs12_pass(chain_pem: str, key_pem: str, password: str) -> str:
    """``fullPemToPkcs12Pass``: the first certificate, the key and the rest of the chain."""
    cert, rest = _first_certificate(chain_pem)
    return _archive(cert, key_pem, parse_certificates(rest), password)


def full_pem_to_pkcs12(chain_pem: str, key_pem: str) -> str:
    """``fullPemToPkcs12``: without a password."""
    return full_pem_to_pkcs12_pass(chain_pem, key_pem, "")


def pem_truststore_to_pkcs12_pass(certs_pem: str, password: str) -> str:
    """``pemTruststoreToPKCS12Pass``: every certificate as a trusted entry, base64 PKCS#12."""
    entries = [
        pkcs12.PKCS12Certificate(cert, go_bytes(cert.subject.rfc4514_string()))
        for cert in parse_certificates(go_bytes(certs_pem))
    ]
    data = pkcs12.serialize_java_truststore(entries, _encryption(password))
    return base64.b64encode(data).decode("ascii")


def pem_truststore_to_pkcs12(certs_pem: str) -> str:
    """``pemTruststoreToPKCS12``: without a password."""
    return pem_truststore_to_pkcs12_pass(certs_pem, "")


def pkcs12_functions() -> Mapping[str, Callable[..., object]]:
    """The PKCS#12 part of ESO's function map."""
    return {
        "pkcs12key": pkcs12key,
        "pkcs12keyPass": pkcs12key_pass,
        "pkcs12cert": pkcs12cert,
        "pkcs12certPass": pkcs12cert_pass,
        "pemToPkcs12": pem_to_pkcs12,
        "pemToPkcs12Pass": pem_to_pkcs12_pass,
        "fullPemToPkcs12": full_pem_to_pkcs12,
        "fullPemToPkcs12Pass": full_pem_to_pkcs12_pass,
        "pemTruststoreToPKCS12": pem_truststore_to_pkcs12,
        "pemTruststoreToPKCS12Pass": pem_truststore_to_pkcs12_pass,
    }
