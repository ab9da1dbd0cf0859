"""Flag parsing shared by ``eso run`` and ``eso webhook``."""

from __future__ import annotations

import os
from collections.abc import Mapping

import click

from eso.api.duration import parse_duration
from eso.errors import SpecError

__all__ = ["endpoint_env", "seconds", "service_account"]

_ENDPOINT_PREFIXES = ("AWS_",)
_POD_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


def seconds(value: str, flag: str) -> float:
    """A Go duration flag in seconds; a bad value is a usage error naming ``flag``."""
    try:
        return parse_duration(value)
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint=flag) from exc


def service_account(value: str | None, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """``--service-account NAMESPACE/NAME``; in a pod, the pod's own ServiceAccount.

    The chart sets ``ESO_SERVICE_ACCOUNT_NAME``; the namespace comes from the mounted token.
    """
    if value:
        namespace, sep, name = value.partition("/")
        if not sep or not namespace or not name:
            raise click.BadParameter("expected NAMESPACE/NAME", param_hint="--service-account")
        return namespace, name
    env = os.environ if environ is None else environ
    pod_sa = env.get("ESO_SERVICE_ACCOUNT_NAME")
    if pod_sa and os.path.exists(_POD_NAMESPACE_FILE):
        with open(_POD_NAMESPACE_FILE, encoding="utf-8") as fh:
            return fh.read().strip(), pod_sa
    return None


def endpoint_env() -> dict[str, str]:
    """The provider endpoint overrides (``AWS_*``) from the environment, read once at start."""
    return {k: v for k, v in os.environ.items() if k.startswith(_ENDPOINT_PREFIXES)}
