"""The one door every AWS API call goes through.

:class:`ApiCaller` runs an operation on an aiobotocore client and

* counts it with the :class:`~eso.providers.base.CallRecorder` under ESO's provider label
  (``AWS/SecretsManager``, ``AWS/ParameterStore``; STS calls use ``AWS/STS``) and the
  operation name, status ``success`` or ``error`` — once per logical call;
* retries temporary failures (:class:`~eso.errors.ProviderUnavailable`: throttling, 5xx,
  connection errors): ``spec.retrySettings`` gives the attempts and a fixed interval,
  otherwise 3 attempts with capped exponential back-off and jitter (the SDK's standard
  retryer);
* maps every SDK exception to :mod:`eso.errors` (:func:`eso.providers.aws.errors.map_error`),
  keeping the SDK exception as ``__cause__``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore import xform_name

from eso.errors import ProviderUnavailable
from eso.providers.aws.errors import map_error
from eso.providers.base import CallRecorder

__all__ = ["LABEL_PARAMETER_STORE", "LABEL_SECRETS_MANAGER", "LABEL_STS", "ApiCaller", "RetryPolicy"]

LABEL_SECRETS_MANAGER = "AWS/SecretsManager"
LABEL_PARAMETER_STORE = "AWS/ParameterStore"
LABEL_STS = "AWS/STS"

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a temporary failure is retried.

    ``attempts`` counts the first try. ``interval`` None means exponential back-off
    (``base`` doubling, capped at ``cap``, full jitter).
    """

    attempts: int = 3
    interval: float | None = None
    base: float = 0.5
    cap: float = 20.0

    @classmethod
    def from_store(cls, retry_max: int | None, retry_interval_seconds: float | None) -> RetryPolicy:
        """``spec.retrySettings`` (already parsed into the StoreContext) as a policy."""
        attempts = retry_max if retry_max is not None and retry_max > 0 else 3
        interval = retry_interval_seconds if retry_interval_seconds is not None else None
        return cls(attempts=attempts, interval=interval)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        if self.interval is not None:
            return self.interval
        return random.uniform(0, min(self.cap, self.base * (2 ** (attempt - 1))))  # noqa: S311


class ApiCaller:
    """Runs, counts, retries and maps AWS API calls for one client."""

    def __init__(
        self,
        recorder: CallRecorder | None = None,
        retry: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._recorder = recorder
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    def record(self, label: str, op: str, status: str) -> None:
        """Count one call (no-op without a recorder)."""
        if self._recorder is not None:
            self._recorder(label, op, status)

    async def __call__(
        self,
        label: str,
        client: Any,
        op: str,
        *,
        sensitive: Iterable[str | bytes] = (),
        **params: Any,
    ) -> dict[str, Any]:
        """Call ``op`` (``GetSecretValue``) with ``params``; raise only eso errors."""
        method = getattr(client, xform_name(op))
        hidden = tuple(sensitive)
        attempt = 1
        while True:
            try:
                response: dict[str, Any] = await method(**params)
            except Exception as exc:
                mapped = map_error(op, exc, hidden)
                if isinstance(mapped, ProviderUnavailable) and attempt < self.retry.attempts:
                    await self._sleep(self.retry.delay(attempt))
                    attempt += 1
                    continue
                self.record(label, op, "error")
                if mapped is exc:
                    raise
                raise mapped from exc
            self.record(label, op, "success")
            return response
