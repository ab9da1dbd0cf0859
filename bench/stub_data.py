"""The in-memory state of the benchmark AWS stub: secrets, parameters, counters, faults.

Kept apart from the HTTP layer (:mod:`bench.stub_aws`) so it is plain, synchronous Python:
every method runs to completion inside one event-loop step, so no locking is needed.

* :class:`SecretsState` holds Secrets Manager secrets (versions with staging labels, tags)
  and SSM parameters (a version history), seeded and changed through the stub's control API.
* :class:`Counters` counts every call by API (``secretsmanager.GetSecretValue``,
  ``AmazonSSM.GetParameters``, ``sts.GetCallerIdentity`` …), the values each call
  returned, the injected errors, and a per-second timeline (for peak-versus-mean rates).
* :class:`Faults` are injection rules: an error code at a rate, extra latency, for one
  API or all, optionally for a limited number of calls.
"""

from __future__ import annotations

import bisect
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ACCOUNT", "REGION", "ApiError", "Counters", "FaultRule", "Faults", "SecretsState"]

ACCOUNT = "123456789012"
REGION = "eu-west-1"
CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


class ApiError(Exception):
    """An AWS error answer: ``code`` (the ``__type``), HTTP ``status`` and a message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Version:
    """One version of a secret."""

    version_id: str
    string: str | None
    binary: bytes | None
    stages: list[str]
    created: float


@dataclass
class Secret:
    """One Secrets Manager secret."""

    name: str
    arn: str
    created: float
    changed: float
    description: str = ""
    tags: list[dict[str, str]] = field(default_factory=list)
    versions: dict[str, Version] = field(default_factory=dict)

    def version(self, version_id: str | None, stage: str | None) -> Version:
        """The version by id and/or stage (default AWSCURRENT)."""
        if version_id:
            found = self.versions.get(version_id)
            if found is None:
                raise ApiError(
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret value for VersionId",
                )
            if stage and stage not in found.stages:
                raise ApiError(
                    "InvalidRequestException",
                    "You provided a VersionStage that is not associated to the provided VersionId.",
                )
            return found
        wanted = stage or CURRENT
        for candidate in self.versions.values():
            if wanted in candidate.stages:
                return candidate
        raise ApiError(
            "ResourceNotFoundException",
            f"Secrets Manager can't find the specified secret value for staging label: {wanted}",
        )

    def stages_map(self) -> dict[str, list[str]]:
        """VersionIdsToStages, only versions that still carry a label."""
        return {v.version_id: list(v.stages) for v in self.versions.values() if v.stages}


@dataclass
class Parameter:
    """One SSM parameter with its history (index 0 is version 1)."""

    name: str
    type: str
    history: list[tuple[str, float]] = field(default_factory=list)


class SecretsState:
    """Secrets and parameters of the stub."""

    def __init__(self) -> None:
        self.secrets: dict[str, Secret] = {}
        self._by_arn: dict[str, str] = {}
        self._sorted: list[str] = []
        self.parameters: dict[str, Parameter] = {}
        self._sorted_params: list[str] = []

    # -- Secrets Manager ------------------------------------------------------------------

    def find(self, secret_id: str) -> Secret:
        """A secret by name or ARN."""
        name = self._by_arn.get(secret_id, secret_id)
        secret = self.secrets.get(name)
        if secret is None:
            raise ApiError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
        return secret

    def put(
        self,
        name: str,
        *,
        string: str | None = None,
        binary: bytes | None = None,
        tags: dict[str, str] | None = None,
        description: str | None = None,
        version_id: str | None = None,
        create_only: bool = False,
    ) -> tuple[Secret, Version, bool]:
        """Create the secret or add a new AWSCURRENT version; returns (secret, version, created)."""
        now = time.time()
        secret = self.secrets.get(name)
        created = secret is None
        if secret is None:
            suffix = uuid.uuid4().hex[:6]
            secret = Secret(
                name, f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-{suffix}", now, now
            )
            self.secrets[name] = secret
            self._by_arn[secret.arn] = name
            bisect.insort(self._sorted, name)
        elif create_only:
            raise ApiError(
                "ResourceExistsException", f"The operation failed because the secret {name} already exists."
            )
        if tags is not None:
            secret.tags = [{"Key": k, "Value": v} for k, v in tags.items()]
        if description is not None:
            secret.description = description
        version = Version(version_id or str(uuid.uuid4()), string, binary, [CURRENT], now)
        for old in secret.versions.values():
            old.stages = [s for s in old.stages if s != PREVIOUS]
            if CURRENT in old.stages:
                old.stages = [PREVIOUS if s == CURRENT else s for s in old.stages]
        secret.versions[version.version_id] = version
        secret.changed = now
        return secret, version, created

    def matching(self, filters: list[dict[str, Any]]) -> list[Secret]:
        """Secrets (sorted by name) matching every filter (values are ORed, prefix match)."""
        out = []
        for name in self._sorted:
            secret = self.secrets[name]
            if all(_filter_ok(secret, f) for f in filters):
                out.append(secret)
        return out

    # -- SSM --------------------------------------------------------------------------------

    def put_parameter(self, name: str, value: str, type_: str = "String", overwrite: bool = True) -> int:
        """Store a value; returns the new version number."""
        param = self.parameters.get(name)
        if param is None:
            param = Parameter(name, type_)
            self.parameters[name] = param
            bisect.insort(self._sorted_params, name)
        elif not overwrite:
            raise ApiError("ParameterAlreadyExists", "The parameter already exists.")
        param.history.append((value, time.time()))
        return len(param.history)

    def parameter(self, selector: str) -> dict[str, Any]:
        """``name`` or ``name:version`` as the GetParameter answer's Parameter object."""
        name, _, version = selector.partition(":") if not selector.startswith("arn:") else (selector, "", "")
        param = self.parameters.get(name)
        if param is None:
            raise ApiError("ParameterNotFound", f"Parameter {name} not found.")
        index = len(param.history)
        if version:
            if not version.isdigit() or not 1 <= int(version) <= len(param.history):
                raise ApiError(
                    "ParameterVersionNotFound", f"Version {version} of parameter {name} not found."
                )
            index = int(version)
        value, modified = param.history[index - 1]
        return {
            "Name": name,
            "Type": param.type,
            "Value": value,
            "Version": index,
            "LastModifiedDate": modified,
            "ARN": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{name.lstrip('/')}",
            "DataType": "text",
        }

    def under(self, path: str, recursive: bool) -> list[str]:
        """Parameter names below ``path`` (direct children only unless ``recursive``)."""
        prefix = path if path.endswith("/") else path + "/"
        if path == "/":
            prefix = "/"
        start = bisect.bisect_left(self._sorted_params, prefix)
        out = []
        for name in self._sorted_params[start:]:
            if not name.startswith(prefix):
                break
            if recursive or "/" not in name[len(prefix) :]:
                out.append(name)
        return out


def _filter_ok(secret: Secret, flt: dict[str, Any]) -> bool:
    key = str(flt.get("Key", ""))
    values = [str(v) for v in flt.get("Values") or []]
    fields: list[str]
    if key == "name":
        fields = [secret.name]
    elif key == "description":
        fields = [secret.description]
    elif key == "tag-key":
        fields = [t["Key"] for t in secret.tags]
    elif key == "tag-value":
        fields = [t["Value"] for t in secret.tags]
    elif key == "all":
        fields = (
            [secret.name, secret.description]
            + [t["Key"] for t in secret.tags]
            + [t["Value"] for t in secret.tags]
        )
    else:
        raise ApiError("InvalidParameterException", f"unsupported filter key {key}")
    for value in values:
        negate = value.startswith("!")
        want = value[1:] if negate else value
        hit = any(f.startswith(want) for f in fields)
        if hit != negate:
            return True
    return False


class Counters:
    """Calls, returned values and injected errors by API, plus a per-second timeline."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start counting from zero now."""
        self.started = time.time()
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.timeline: dict[int, Counter[str]] = {}

    def record(self, api: str, items: int = 0, error: str | None = None) -> None:
        """Count one call of ``api``."""
        self.calls[api] += 1
        if items:
            self.items[api] += items
        if error:
            self.errors[f"{api}:{error}"] += 1
        second = int(time.time())
        bucket = self.timeline.get(second)
        if bucket is None:
            bucket = self.timeline[second] = Counter()
        bucket[api] += 1

    def snapshot(self, *, timeline: bool = False, since: float = 0.0) -> dict[str, Any]:
        """Everything counted, as JSON."""
        out: dict[str, Any] = {
            "started": self.started,
            "now": time.time(),
            "total": sum(self.calls.values()),
            "calls": dict(self.calls),
            "items": dict(self.items),
            "errors": dict(self.errors),
        }
        if timeline:
            out["timeline"] = [
                [second, dict(bucket)] for second, bucket in sorted(self.timeline.items()) if second >= since
            ]
        return out


@dataclass
class FaultRule:
    """Inject ``error_code`` with probability ``error_rate`` and/or add ``latency_ms``."""

    api: str = "*"
    error_rate: float = 0.0
    error_code: str = "ThrottlingException"
    status: int = 400
    message: str = "Rate exceeded"
    latency_ms: float = 0.0
    remaining: int | None = None

    def applies(self, api: str) -> bool:
        """True when this rule covers ``api`` (full name or just the operation)."""
        return self.api in ("*", api, api.rpartition(".")[2]) and (
            self.remaining is None or self.remaining > 0
        )


class Faults:
    """The base latency and the injection rules."""

    def __init__(self, latency_ms: float, seed: int | None = None) -> None:
        self.latency_ms = latency_ms
        self.rules: list[FaultRule] = []
        self._random = random.Random(seed)

    def decide(self, api: str) -> tuple[float, ApiError | None]:
        """Seconds to wait and the error to answer with (None: answer normally)."""
        delay = self.latency_ms
        error: ApiError | None = None
        for rule in self.rules:
            if not rule.applies(api):
                continue
            delay += rule.latency_ms
            if error is None and rule.error_rate > 0 and self._random.random() < rule.error_rate:
                error = ApiError(rule.error_code, rule.message, rule.status)
            if rule.remaining is not None:
                rule.remaining -= 1
        return delay / 1000.0, error

    def describe(self) -> dict[str, Any]:
        """The current settings, as JSON."""
        return {"latency_ms": self.latency_ms, "rules": [vars(r) for r in self.rules]}
