"""Test material made with ``cryptography``: a root → intermediate → leaf chain, keys, archives."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

_START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_END = datetime.datetime(2034, 1, 1, tzinfo=datetime.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def pem(cert: x509.Certificate) -> str:
    """A certificate as PEM text."""
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    """A private key as unencrypted PKCS#8 PEM text."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool,
    sans: list[x509.GeneralName] | None = None,
) -> x509.Certificate:
    issuer_name, issuer_key = issuer if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_START)
        .not_valid_after(_END)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
        builder = builder.add_extension(aki, critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@dataclass(frozen=True)
class Chain:
    """A three-certificate chain and the leaf's key."""

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    leaf_key: ec.EllipticCurvePrivateKey


SANS: list[x509.GeneralName] = [
    x509.UniformResourceIdentifier("spiffe://cluster.local/ns/a/sa/b"),
    x509.RFC822Name("ops@example.com"),
    x509.IPAddress(ipaddress.ip_address("10.0.0.1")),
    x509.DNSName("app.example.com"),
    x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
    x509.DNSName("www.example.com"),
]


def make_chain() -> Chain:
    """root (self-signed CA) → intermediate (CA) → leaf (with SANs of every kind)."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    intermediate_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root = _cert("root", root_key, None, ca=True)
    intermediate = _cert("intermediate", intermediate_key, ("root", root_key), ca=True)
    leaf = _cert("leaf", leaf_key, ("intermediate", intermediate_key), ca=False, sans=SANS)
    return Chain(root, intermediate, leaf, leaf_key)


def self_signed() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """One self-signed certificate (its own root) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    return _cert("alone", key, None, ca=True), key
