"""PEM functions: ``filterPEM``, ``filterCertChain``, ``certSANs``, and Go's PEM codec.

:func:`pem_decode` and :func:`pem_encode` follow Go's ``encoding/pem``: ``Decode`` skips
text before a ``-----BEGIN`` line, reads ``Key: value`` headers, tolerates spaces and tabs
in the base64 body and skips a malformed block to look for the next one; ``Encode``
writes ``Proc-Type`` first then the other headers sorted, and 64-column base64.

Certificate chains are ordered the way ESO does it (``pem_chain.go``): certificate *j*
is the parent of *i* when *i*'s AuthorityKeyId equals *j*'s SubjectKeyId (an absent
identifier equals an absent one, as Go's ``bytes.Equal(nil, nil)``); the single
certificate that is nobody's parent is the leaf, and following parents gives
leaf → intermediates → root. Nothing is verified: this only formats.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from eso.template.decoding import go_b64decode
from eso.template.gostr import go_bytes, go_string

__all__ = [
    "PemBlock",
    "encode_certificate",
    "order_chain",
    "parse_certificates",
    "pem_decode",
    "pem_encode",
    "pem_functions",
]

_BEGIN = b"-----BEGIN "
_END = b"\n-----END "
_DASHES = b"-----"


@dataclass(frozen=True)
class PemBlock:
    """One PEM block: its type, headers and decoded bytes."""

    type: str
    data: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _line(data: bytes) -> tuple[bytes, bytes]:
    index = data.find(b"\n")
    line, rest = (data, b"") if index < 0 else (data[:index], data[index + 1 :])
    return line.rstrip(b" \t\r"), rest


def pem_decode(data: bytes) -> tuple[PemBlock | None, bytes]:
    """Go's ``pem.Decode``: the next block and the rest, or ``(None, data)``."""
    rest = data
    while True:
        if rest.startswith(_BEGIN):
            rest = rest[len(_BEGIN) :]
        else:
            index = rest.find(b"\n" + _BEGIN)
            if index < 0:
                return None, data
            rest = rest[index + 1 + len(_BEGIN) :]
        type_line, rest = _line(rest)
        if not type_line.endswith(_DASHES):
            continue
        block_type = type_line[: -len(_DASHES)]
        headers: dict[str, str] = {}
        while True:
            if not rest:
                return None, data
            line, following = _line(rest)
            key, colon, value = line.partition(b":")
            if not colon:
                break
            headers[go_string(key.strip())] = go_string(value.strip())
            rest = following
        if not headers and rest.startswith(_END[1:]):
            end, trailer_at = 0, len(_END) - 1
        else:
            end = rest.find(_END)
            trailer_at = end + len(_END)
        if end < 0:
            continue
        trailer = rest[trailer_at : trailer_at + len(block_type) + len(_DASHES)]
        after_trailer = rest[trailer_at + len(block_type) + len(_DASHES) :]
        if trailer != block_type + _DASHES or _line(after_trailer)[0]:
            continue
        body = rest[:end].replace(b" ", b"").replace(b"\t", b"")
        try:
            decoded = go_b64decode(body)
        except ValueError:
            continue
        _, rest = _line(rest[end + len(_END) - 1 :])
        return PemBlock(go_string(block_type), decoded, headers), rest


def pem_encode(block: PemBlock) -> bytes:
    """Go's ``pem.EncodeToMemory``."""
    out = bytearray(b"-----BEGIN " + go_bytes(block.type) + b"-----\n")
    if block.headers:
        names = sorted(block.headers)
        if "Proc-Type" in block.headers:
            names.remove("Proc-Type")
            names.insert(0, "Proc-Type")
        for name in names:
            if ":" in name:
                raise ValueError("pem: cannot encode a header key that contains a colon")
            out += go_bytes(f"{name}: {block.headers[name]}\n")
        out += b"\n"
    encoded = base64.b64encode(block.data)
    for start in range(0, len(encoded), 64):
        out += encoded[start : start + 64] + b"\n"
    out += b"-----END " + go_bytes(block.type) + b"-----\n"
    return bytes(out)


def encode_certificate(der: bytes) -> bytes:
    """A ``CERTIFICATE`` PEM block."""
    return pem_encode(PemBlock("CERTIFICATE", der))


def _trim_junk(data: bytes) -> bytes:
    index = data.find(b"-----BEGIN")
    return data if index < 0 else data[index:]


def filter_pem(pem_type: str, value: str) -> str:
    """``filterPEM``: keep the blocks of ``pem_type`` (case-insensitive)."""
    data = _trim_junk(go_bytes(value))
    kept = bytearray()
    rest = data
    while True:
        block, rest = pem_decode(data)
        data = rest
        if block is None:
            break
        if block.type.casefold() == pem_type.casefold():
            kept += pem_encode(block)
    if not kept and rest:
        raise ValueError("error filtering pem: found junk")
    return go_string(bytes(kept))


def _key_ids(cert: x509.Certificate) -> tuple[bytes | None, bytes | None]:
    try:
        aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    except x509.ExtensionNotFound:
        aki = None
    try:
        ski: bytes | None = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        ski = None
    return aki, ski


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Every PEM block of ``data`` parsed as a certificate (any other block is an error)."""
    certs: list[x509.Certificate] = []
    while True:
        block, data = pem_decode(data)
        if block is None:
            return certs
        try:
            certs.append(x509.load_der_x509_certificate(block.data))
        except ValueError:
            raise ValueError("x509: malformed certificate") from None


def order_chain(certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """Order ``certs`` leaf → intermediates → root as ESO does (raises if it cannot)."""
    ids = [_key_ids(cert) for cert in certs]
    parent: dict[int, int] = {}
    is_parent = [False] * len(certs)
    for i, (aki, _) in enumerate(ids):
        for j, (_, ski) in enumerate(ids):
            if i != j and (aki or b"") == (ski or b""):
                is_parent[j] = True
                parent[i] = j
                break
    leaves = [i for i, flag in enumerate(is_parent) if not flag]
    if len(leaves) > 1:
        raise ValueError("found multiple leaf or disjunct certificates")
    if not leaves:
        raise ValueError("no leaf certificate found")
    ordered: list[x509.Certificate] = []
    node: int | None = leaves[0]
    while node is not None:
        if len(ordered) == len(certs):
            raise ValueError("constructing chain resulted in cycle")
        ordered.append(certs[node])
        node = parent.get(node)
    return ordered


def _is_root(cert: x509.Certificate) -> bool:
    aki, ski = _key_ids(cert)
    return aki is None or aki == (ski or b"")


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def filter_cert_chain(cert_type: str, value: str) -> str:
    """``filterCertChain``: the ``leaf``, the ``intermediate`` ones or the ``root``."""
    ordered = order_chain(parse_certificates(go_bytes(value)))
    if cert_type == "leaf":
        aki, ski = _key_ids(ordered[0])
        if aki is not None and aki != (ski or b""):
            return go_string(encode_certificate(_der(ordered[0])))
    elif cert_type == "intermediate":
        out = bytearray()
        for cert in ordered[1:]:
            if _is_root(cert):
                break
            out += encode_certificate(_der(cert))
        return go_string(bytes(out))
    elif cert_type == "root" and _is_root(ordered[-1]):
        return go_string(encode_certificate(_der(ordered[-1])))
    return ""


def _ip_text(address: object) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def cert_sans(value: str) -> list[str]:
    """``certSANs``: DNS names, then IP addresses, then emails, then URIs."""
    block, _ = pem_decode(_trim_junk(go_bytes(value)))
    if block is None:
        raise ValueError("failed to decode PEM block")
    try:
        cert = x509.load_der_x509_certificate(block.data)
    except ValueError:
        raise ValueError("failed to parse certificate: x509: malformed certificate") from None
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    sans: list[str] = list(names.get_values_for_type(x509.DNSName))
    sans += [_ip_text(ip) for ip in names.get_values_for_type(x509.IPAddress)]
    sans += names.get_values_for_type(x509.RFC822Name)
    sans += names.get_values_for_type(x509.UniformResourceIdentifier)
    return sans


def pem_functions() -> Mapping[str, Callable[..., object]]:
    """The PEM part of ESO's function map."""
    return {"filterPEM": filter_pem, "filterCertChain": filter_cert_chain, "certSANs": cert_sans}
