"""The webhook's certificates: a self-signed CA and a serving certificate, and when to renew them.

Pure functions, no I/O (the clock is passed in). :func:`plan` looks at what is stored
(the keys ``ca.crt``, ``ca.key``, ``tls.crt``, ``tls.key`` of the webhook Secret) and
decides:

* ``keep``: the CA and the serving certificate are valid for longer than the lookahead
  window, the serving certificate is signed by the CA, matches its key and covers every
  required DNS name and IP address;
* ``reissue``: only the serving certificate is wrong (near expiry, names missing, key
  mismatch): a new one is signed by the *same* CA, so the injected ``caBundle`` does not
  change and no client ever sees an untrusted certificate;
* ``renew``: the CA itself is missing, broken or near expiry: a new CA and serving
  certificate are made. ``ca.crt`` then holds the new CA followed by the previous one
  (while it is still valid), so replicas that still serve the old certificate keep being
  trusted until they have loaded the new one.

A reissued certificate covers the union of the names it had and the names required, so
replicas started with different extra names converge instead of flip-flopping. Keys
are RSA 2048 (like ESO), made by :mod:`eso.webhook.certgen`.
"""

from __future__ import annotations

import base64
import datetime
import enum
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from eso.webhook.certgen import cert_pem, issue, key_pem, new_ca

__all__ = [
    "SECRET_KEYS",
    "Action",
    "CertBundle",
    "CertInfo",
    "CertPolicy",
    "Decision",
    "inspect",
    "plan",
    "rotate",
    "service_dns_names",
    "serving_problem",
]

SECRET_KEYS = ("ca.crt", "ca.key", "tls.crt", "tls.key")


class Action(enum.StrEnum):
    """What :func:`plan` decided."""

    KEEP = "keep"
    REISSUE = "reissue"
    RENEW = "renew"


@dataclass(frozen=True, slots=True)
class Decision:
    """An action and the reason for it (for logs; never contains key material)."""

    action: Action
    reason: str


@dataclass(frozen=True, slots=True)
class CertBundle:
    """PEM bytes of the four Secret keys. ``ca_cert`` may hold the previous CA after the current one."""

    ca_cert: bytes
    ca_key: bytes
    tls_cert: bytes
    tls_key: bytes

    @classmethod
    def from_secret_data(cls, data: Mapping[str, str] | None) -> CertBundle | None:
        """The bundle from a Secret's base64 ``data``; None when a key is missing or not base64."""
        if not data:
            return None
        try:
            parts = [base64.b64decode(data[key], validate=True) for key in SECRET_KEYS]
        except (KeyError, ValueError, TypeError):
            return None
        if not all(parts):
            return None
        return cls(*parts)

    def to_secret_data(self) -> dict[str, str]:
        """The Secret's ``data`` (base64)."""
        values = (self.ca_cert, self.ca_key, self.tls_cert, self.tls_key)
        return {key: base64.b64encode(value).decode() for key, value in zip(SECRET_KEYS, values, strict=True)}


@dataclass(frozen=True, slots=True)
class CertPolicy:
    """What the serving certificate must cover and how long certificates live."""

    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...] = ()
    validity: datetime.timedelta = datetime.timedelta(days=3650)
    lookahead: datetime.timedelta = datetime.timedelta(days=90)


@dataclass(frozen=True, slots=True)
class CertInfo:
    """What matters about one certificate."""

    subject: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    is_ca: bool
    fingerprint: str


def service_dns_names(service: str, namespace: str) -> tuple[str, ...]:
    """The names a Service is reached by: ``svc``, ``svc.ns``, ``svc.ns.svc``, ``….svc.cluster.local``."""
    return (
        service,
        f"{service}.{namespace}",
        f"{service}.{namespace}.svc",
        f"{service}.{namespace}.svc.cluster.local",
    )


def _certs(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError:
        return []


def inspect(pem: bytes) -> CertInfo | None:
    """The first certificate of ``pem``, or None when it does not parse."""
    certs = _certs(pem)
    if not certs:
        return None
    cert = certs[0]
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns, ips = (), ()
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        dns_names=dns,
        ip_addresses=ips,
        is_ca=is_ca,
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
    )


def _key(pem: bytes) -> rsa.RSAPrivateKey | None:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        return None
    return key if isinstance(key, rsa.RSAPrivateKey) else None


def _matches(cert: x509.Certificate, key: rsa.RSAPrivateKey) -> bool:
    public = cert.public_key()
    return (
        isinstance(public, rsa.RSAPublicKey) and public.public_numbers() == key.public_key().public_numbers()
    )


def _normalise_ip(value: str) -> str:
    return str(ipaddress.ip_address(value))


def serving_problem(
    tls_cert: bytes,
    tls_key: bytes,
    *,
    now: datetime.datetime,
    min_remaining: datetime.timedelta,
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    ca_cert: bytes | None = None,
) -> str | None:
    """Why the serving pair is unusable (None when it is fine); used by :func:`plan` and ``/readyz``."""
    certs, key = _certs(tls_cert), _key(tls_key)
    if not certs:
        return "the serving certificate does not parse"
    if key is None:
        return "the serving key does not parse (RSA PEM expected)"
    cert = certs[0]
    if not _matches(cert, key):
        return "the serving certificate does not match its key"
    if cert.not_valid_before_utc > now:
        return "the serving certificate is not valid yet"
    if cert.not_valid_after_utc - now <= min_remaining:
        return f"the serving certificate expires at {cert.not_valid_after_utc.isoformat()}"
    info = inspect(tls_cert)
    assert info is not None
    missing = [n for n in dns_names if n not in info.dns_names]
    missing += [ip for ip in ip_addresses if _normalise_ip(ip) not in info.ip_addresses]
    if missing:
        return f"the serving certificate does not cover {', '.join(missing)}"
    if ca_cert is not None:
        authorities = _certs(ca_cert)
        if not authorities or not _issued_by(cert, authorities[0]):
            return "the serving certificate is not signed by the current CA"
    return None


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _ca_problem(bundle: CertBundle, now: datetime.datetime, lookahead: datetime.timedelta) -> str | None:
    authorities, key = _certs(bundle.ca_cert), _key(bundle.ca_key)
    if not authorities:
        return "the CA certificate does not parse"
    if key is None:
        return "the CA key does not parse"
    ca = authorities[0]
    info = inspect(bundle.ca_cert)
    if info is None or not info.is_ca:
        return "the CA certificate is not a CA"
    if not _matches(ca, key):
        return "the CA certificate does not match its key"
    if ca.not_valid_before_utc > now:
        return "the CA certificate is not valid yet"
    if ca.not_valid_after_utc - now <= lookahead:
        return f"the CA certificate expires at {ca.not_valid_after_utc.isoformat()}"
    return None


def plan(bundle: CertBundle | None, policy: CertPolicy, now: datetime.datetime) -> Decision:
    """Keep, reissue the serving certificate, or renew everything (see the module docstring)."""
    if bundle is None:
        return Decision(Action.RENEW, "no certificate stored yet")
    problem = _ca_problem(bundle, now, policy.lookahead)
    if problem is not None:
        return Decision(Action.RENEW, problem)
    problem = serving_problem(
        bundle.tls_cert,
        bundle.tls_key,
        now=now,
        min_remaining=policy.lookahead,
        dns_names=policy.dns_names,
        ip_addresses=policy.ip_addresses,
        ca_cert=bundle.ca_cert,
    )
    if problem is not None:
        return Decision(Action.REISSUE, problem)
    return Decision(Action.KEEP, "certificates are valid")


def _union(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


def rotate(
    bundle: CertBundle | None, policy: CertPolicy, now: datetime.datetime, action: Action
) -> CertBundle:
    """A new bundle for ``action`` (``reissue`` keeps the CA; ``renew`` makes a new one)."""
    if action is Action.KEEP and bundle is not None:
        return bundle
    dns, ips = policy.dns_names, tuple(_normalise_ip(ip) for ip in policy.ip_addresses)
    old = inspect(bundle.tls_cert) if bundle is not None else None
    if old is not None:
        dns, ips = _union(dns, old.dns_names), _union(ips, old.ip_addresses)
    if action is Action.REISSUE and bundle is not None:
        authorities, ca_key = _certs(bundle.ca_cert), _key(bundle.ca_key)
        if authorities and ca_key is not None:
            live = [c for c in authorities if c.not_valid_after_utc > now]
            cert, key = issue(authorities[0], ca_key, dns, ips, now, policy.validity)
            ca_pem = b"".join(cert_pem(c) for c in live) or cert_pem(authorities[0])
            return CertBundle(ca_pem, bundle.ca_key, cert_pem(cert), key_pem(key))
    ca, ca_key_new = new_ca(now, policy.validity)
    cert, key = issue(ca, ca_key_new, dns, ips, now, policy.validity)
    previous = _certs(bundle.ca_cert)[:1] if bundle is not None else []
    kept = [c for c in previous if c.not_valid_after_utc > now]
    ca_pem = cert_pem(ca) + b"".join(cert_pem(c) for c in kept)
    return CertBundle(ca_pem, key_pem(ca_key_new), cert_pem(cert), key_pem(key))
