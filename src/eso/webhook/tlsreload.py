"""The serving certificate in use: loaded from the cert dir, swapped when the files change.

:class:`ServingCertificate` keeps one ``ssl.SSLContext`` per loaded certificate. The
listening socket uses a base context whose SNI callback (called on every handshake,
with or without a server name) points the connection at the current one, so a new
certificate applies to the next handshake without restarting the listener, and a
broken file pair never replaces a good one: it is validated first and kept out.

TLS 1.2 is the minimum (``--tls-min-version 1.3`` raises it). :meth:`~ServingCertificate.problem`
is the readiness check (ESO's ``certs`` check): a certificate is loaded, matches its
key, covers the names the API server uses and is valid for at least another hour.
"""

from __future__ import annotations

import datetime
import hashlib
import ssl
from collections.abc import Callable, Sequence
from pathlib import Path

from eso.errors import ConfigError
from eso.logging import get_logger
from eso.webhook.certs import inspect, serving_problem

__all__ = ["ServingCertificate"]

_log = get_logger("eso.webhook.tls")
_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class ServingCertificate:
    """``tls.crt`` / ``tls.key`` of ``cert_dir``, as TLS contexts for the HTTPS listener."""

    def __init__(
        self,
        cert_dir: Path,
        *,
        min_version: str = "1.2",
        dns_names: Sequence[str] = (),
        ip_addresses: Sequence[str] = (),
        min_remaining: datetime.timedelta = datetime.timedelta(hours=1),
        clock: Callable[[], datetime.datetime] = _utcnow,
    ) -> None:
        if min_version not in _VERSIONS:
            raise ConfigError(f"unsupported TLS version {min_version!r}; use 1.2 or 1.3")
        self.cert_dir = cert_dir
        self._min_version = _VERSIONS[min_version]
        self._dns_names = tuple(dns_names)
        self._ip_addresses = tuple(ip_addresses)
        self._min_remaining = min_remaining
        self._clock = clock
        self._current: ssl.SSLContext | None = None
        self._pair: tuple[bytes, bytes] | None = None
        self._digest = ""
        self.reloads = 0

    @property
    def cert_file(self) -> Path:
        """``<cert-dir>/tls.crt``."""
        return self.cert_dir / "tls.crt"

    @property
    def key_file(self) -> Path:
        """``<cert-dir>/tls.key``."""
        return self.cert_dir / "tls.key"

    @property
    def loaded(self) -> bool:
        """True once a certificate has been loaded."""
        return self._current is not None

    def _context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = self._min_version
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def reload(self) -> bool:
        """Load the files if they changed and are a valid pair; True when a new certificate is in use."""
        try:
            cert, key = self.cert_file.read_bytes(), self.key_file.read_bytes()
        except OSError:
            return False
        digest = hashlib.sha256(cert + b"\0" + key).hexdigest()
        if digest == self._digest:
            return False
        problem = serving_problem(cert, key, now=self._clock(), min_remaining=datetime.timedelta(0))
        if problem is not None:
            _log.warning(
                "not loading the certificate in the cert dir", problem=problem, cert_dir=str(self.cert_dir)
            )
            return False
        ctx = self._context()
        try:
            ctx.load_cert_chain(self.cert_file, self.key_file)
        except (ssl.SSLError, OSError) as exc:
            _log.warning("cannot load the certificate in the cert dir", error=str(exc))
            return False
        self._current, self._pair, self._digest = ctx, (cert, key), digest
        self.reloads += 1
        info = inspect(cert)
        _log.info(
            "serving certificate loaded",
            fingerprint=info.fingerprint if info else "",
            not_after=info.not_after.isoformat() if info else "",
        )
        return True

    def listening_context(self) -> ssl.SSLContext:
        """The context for the listener; every handshake is switched to the current certificate."""
        if self._current is None:
            raise ConfigError(f"no serving certificate in {self.cert_dir} yet")
        base = self._context()
        base.load_cert_chain(self.cert_file, self.key_file)

        def switch(connection: ssl.SSLObject, _server_name: str | None, _ctx: ssl.SSLContext) -> None:
            if self._current is not None:
                connection.context = self._current

        base.sni_callback = switch
        return base

    def problem(self) -> str | None:
        """Why the webhook is not ready (None when it is)."""
        if self._pair is None:
            return f"no valid serving certificate loaded from {self.cert_dir} yet"
        cert, key = self._pair
        return serving_problem(
            cert,
            key,
            now=self._clock(),
            min_remaining=self._min_remaining,
            dns_names=self._dns_names,
            ip_addresses=self._ip_addresses,
        )

    def not_after(self) -> datetime.datetime | None:
        """Expiry of the certificate in use."""
        info = inspect(self._pair[0]) if self._pair else None
        return info.not_after if info else None
