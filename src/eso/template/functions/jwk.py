"""JWK functions: ``jwkPublicKeyPem`` (PKIX ``PUBLIC KEY``) and ``jwkPrivateKeyPem`` (PKCS#8).

Key types: ``RSA``, ``EC`` (P-256, P-384, P-521) and ``OKP`` (Ed25519, X25519). As in
ESO, the function follows the kind of key the JWK holds: ``jwkPublicKeyPem`` of a *private*
JWK and ``jwkPrivateKeyPem`` of a *public* JWK fail with Go's x509 messages, and an
``oct`` (symmetric) JWK fails for both. An RSA private JWK without its primes gets them
recovered from ``n``, ``e`` and ``d``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, x25519

from eso.template.gostr import go_bytes, go_string

__all__ = ["jwk_functions"]

_CURVES: Mapping[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
}
_Key = (
    rsa.RSAPrivateKey
    | rsa.RSAPublicKey
    | ec.EllipticCurvePrivateKey
    | ec.EllipticCurvePublicKey
    | ed25519.Ed25519PrivateKey
    | ed25519.Ed25519PublicKey
    | x25519.X25519PrivateKey
    | x25519.X25519PublicKey
)


def _b64(jwk: Mapping[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise ValueError(f"failed to parse JWK: required field {name!r} is missing")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError(f"failed to parse JWK: field {name!r} is not base64url") from None


def _int(jwk: Mapping[str, Any], name: str) -> int:
    return int.from_bytes(_b64(jwk, name), "big")


def _rsa(jwk: Mapping[str, Any]) -> rsa.RSAPrivateKey | rsa.RSAPublicKey:
    public = rsa.RSAPublicNumbers(_int(jwk, "e"), _int(jwk, "n"))
    if "d" not in jwk:
        return public.public_key()
    d = _int(jwk, "d")
    if "p" in jwk and "q" in jwk:
        p, q = _int(jwk, "p"), _int(jwk, "q")
    else:
        p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
    dmp1 = _int(jwk, "dp") if "dp" in jwk else rsa.rsa_crt_dmp1(d, p)
    dmq1 = _int(jwk, "dq") if "dq" in jwk else rsa.rsa_crt_dmq1(d, q)
    iqmp = _int(jwk, "qi") if "qi" in jwk else rsa.rsa_crt_iqmp(p, q)
    return rsa.RSAPrivateNumbers(p, q, d, dmp1, dmq1, iqmp, public).private_key()


def _ec(jwk: Mapping[str, Any]) -> ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey:
    curve = _CURVES.get(str(jwk.get("crv")))
    if curve is None:
        raise ValueError(f"failed to parse JWK: unsupported curve {jwk.get('crv')!r}")
    public = ec.EllipticCurvePublicNumbers(_int(jwk, "x"), _int(jwk, "y"), curve)
    if "d" not in jwk:
        return public.public_key()
    return ec.EllipticCurvePrivateNumbers(_int(jwk, "d"), public).private_key()


def _okp(jwk: Mapping[str, Any]) -> _Key:
    crv = jwk.get("crv")
    if crv == "Ed25519":
        if "d" in jwk:
            return ed25519.Ed25519PrivateKey.from_private_bytes(_b64(jwk, "d"))
        return ed25519.Ed25519PublicKey.from_public_bytes(_b64(jwk, "x"))
    if crv == "X25519":
        if "d" in jwk:
            return x25519.X25519PrivateKey.from_private_bytes(_b64(jwk, "d"))
        return x25519.X25519PublicKey.from_public_bytes(_b64(jwk, "x"))
    raise ValueError(f"failed to parse JWK: unsupported curve {crv!r}")


def parse_jwk(text: str) -> _Key | bytes:
    """The key a JWK holds; ``oct`` keys give their raw bytes."""
    try:
        jwk = json.loads(go_bytes(text))
    except (ValueError, RecursionError):
        raise ValueError("failed to parse JWK: invalid JSON") from None
    if not isinstance(jwk, dict):
        raise ValueError("failed to parse JWK: not a JSON object")
    kty = jwk.get("kty")
    try:
        if kty == "RSA":
            return _rsa(jwk)
        if kty == "EC":
            return _ec(jwk)
        if kty == "OKP":
            return _okp(jwk)
        if kty == "oct":
            return _b64(jwk, "k")
    except (ValueError, TypeError) as error:
        message = str(error)
        raise ValueError(
            message if message.startswith("failed") else "failed to parse JWK: invalid key"
        ) from None
    raise ValueError(f"failed to parse JWK: unsupported kty {kty!r}")


def _go_type(key: object) -> str:
    names = {
        rsa.RSAPrivateKey: "*rsa.PrivateKey",
        rsa.RSAPublicKey: "*rsa.PublicKey",
        ec.EllipticCurvePrivateKey: "*ecdsa.PrivateKey",
        ec.EllipticCurvePublicKey: "*ecdsa.PublicKey",
        ed25519.Ed25519PrivateKey: "ed25519.PrivateKey",
        ed25519.Ed25519PublicKey: "ed25519.PublicKey",
        x25519.X25519PrivateKey: "*ecdh.PrivateKey",
        x25519.X25519PublicKey: "*ecdh.PublicKey",
    }
    return next((name for kind, name in names.items() if isinstance(key, kind)), "[]uint8")


def jwk_public_key_pem(text: str) -> str:
    """``jwkPublicKeyPem``: a public JWK as a PEM ``PUBLIC KEY``."""
    key = parse_jwk(text)
    if not isinstance(
        key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | x25519.X25519PublicKey
    ):
        raise ValueError(f"x509: unsupported public key type: {_go_type(key)}")
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return go_string(pem)


def jwk_private_key_pem(text: str) -> str:
    """``jwkPrivateKeyPem``: a private JWK as a PEM PKCS#8 ``PRIVATE KEY``."""
    key = parse_jwk(text)
    if not isinstance(
        key,
        rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | x25519.X25519PrivateKey,
    ):
        raise ValueError(f"x509: unknown key type while marshaling PKCS#8: {_go_type(key)}")
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return go_string(pem)


def jwk_functions() -> Mapping[str, Callable[..., object]]:
    """The JWK part of ESO's function map."""
    return {"jwkPublicKeyPem": jwk_public_key_pem, "jwkPrivateKeyPem": jwk_private_key_pem}
