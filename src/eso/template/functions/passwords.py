"""``bcrypt`` and ``htpasswd`` as ESO's vendored sprig (3.3) has them.

* ``htpasswd user password algo`` takes three arguments (upstream sprig 3.2 took two):
  ``algo`` ``"sha"`` gives ``user:{SHA}<base64 SHA-1>``, anything else bcrypt; a user name
  with ``:`` gives ``invalid username: <name>``.
* ``bcrypt`` hashes are written with Go's ``$2a$`` prefix (the Python library writes
  ``$2b$``; for the at most 72 bytes bcrypt reads, the two compute the same hash).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping

from eso.template.gostr import go_bytes

__all__ = ["password_functions"]


def password_functions(sprig_bcrypt: Callable[[str], str]) -> Mapping[str, Callable[..., object]]:
    """``bcrypt`` and ``htpasswd`` built on gotpl's bcrypt."""

    def bcrypt(value: str) -> str:
        hashed = sprig_bcrypt(value)
        return "$2a$" + hashed[4:] if hashed.startswith("$2b$") else hashed

    def htpasswd(username: str, password: str, algorithm: str) -> str:
        if ":" in username:
            return f"invalid username: {username}"
        if algorithm == "sha":
            digest = hashlib.sha1(go_bytes(password), usedforsecurity=False).digest()
            return f"{username}:{{SHA}}{base64.b64encode(digest).decode('ascii')}"
        return f"{username}:{bcrypt(password)}"

    return {"bcrypt": bcrypt, "htpasswd": htpasswd}
