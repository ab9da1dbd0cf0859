"""``rsaDecrypt``: RSA-OAEP decryption of binary ciphertext with a PEM private key.

``rsaDecrypt scheme hash ciphertext privateKeyPEM`` (usually written as the pipeline
``privKey | rsaDecrypt "RSA-OAEP" "SHA256" ct``). ``scheme`` is ``None`` (the ciphertext
is returned unchanged) or ``RSA-OAEP``; ``hash`` picks the OAEP and MGF1 digest: ``SHA1``,
``SHA256`` or ``SHA512``, and any other value (``None`` included) means SHA-256, as in
ESO. The ciphertext is the raw bytes (``b64dec`` it first); no label is used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from eso.template.functions.pem import pem_decode
from eso.template.gostr import go_bytes, go_string

__all__ = ["crypto_functions"]


def _hash(name: str) -> hashes.HashAlgorithm:
    if name == "SHA1":
        return hashes.SHA1()  # noqa: S303 - ESO offers OAEP with SHA-1; the caller picks it
    if name == "SHA512":
        return hashes.SHA512()
    return hashes.SHA256()


def rsa_decrypt(scheme: str, hash_name: str, ciphertext: str, private_key: str) -> str:
    """Decrypt ``ciphertext``; errors name the step, never the data."""
    if scheme == "None":
        return ciphertext
    if scheme != "RSA-OAEP":
        raise ValueError(f"decryption scheme {scheme} is not supported")
    block, _ = pem_decode(go_bytes(private_key))
    if block is None:
        raise ValueError("failed to decode PEM block")
    try:
        key = serialization.load_der_private_key(block.data, password=None)
    except (ValueError, TypeError):
        raise ValueError("could not parse private key: unable to parse private key type") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("could not parse RSA private key")
    algorithm = _hash(hash_name)
    oaep = padding.OAEP(mgf=padding.MGF1(algorithm=algorithm), algorithm=algorithm, label=None)
    try:
        return go_string(key.decrypt(go_bytes(ciphertext), oaep))
    except ValueError:
        raise ValueError("error decrypting data with RSA: crypto/rsa: decryption error") from None


def crypto_functions() -> Mapping[str, Callable[..., object]]:
    """The decryption part of ESO's function map."""
    return {"rsaDecrypt": rsa_decrypt}
