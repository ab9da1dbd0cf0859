"""The API-call wrapper: one count per logical call, retries only for temporary failures."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from eso.errors import ProviderUnavailable, SecretNotFound
from eso.providers.aws.calls import ApiCaller, RetryPolicy


class FlakyClient:
    def __init__(self, failures: list[BaseException]) -> None:
        self.failures = failures
        self.calls = 0

    async def get_secret_value(self, **params: Any) -> dict[str, Any]:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"SecretString": "v", "Name": params["SecretId"]}


def refused() -> EndpointConnectionError:
    return EndpointConnectionError(
        endpoint_url="http://127.0.0.1:1/", error=ConnectionRefusedError(111, "refused")
    )


def not_found() -> ClientError:
    return ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "nope"}}, "GetSecretValue")


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def __call__(self, provider: str, call: str, status: str) -> None:
        self.calls.append((provider, call, status))


async def no_sleep(seconds: float) -> None:
    sleeps.append(seconds)


sleeps: list[float] = []


async def test_retries_temporary_errors_with_fixed_interval() -> None:
    sleeps.clear()
    recorder = Recorder()
    caller = ApiCaller(recorder, RetryPolicy.from_store(3, 0.25), sleep=no_sleep)
    client = FlakyClient([refused(), refused()])
    assert (await caller("AWS/SecretsManager", client, "GetSecretValue", SecretId="x"))["SecretString"] == "v"
    assert client.calls == 3
    assert sleeps == [0.25, 0.25]
    assert recorder.calls == [("AWS/SecretsManager", "GetSecretValue", "success")]


async def test_gives_up_after_attempts_and_records_error() -> None:
    recorder = Recorder()
    caller = ApiCaller(recorder, RetryPolicy(attempts=2, interval=0), sleep=no_sleep)
    client = FlakyClient([refused(), refused(), refused()])
    with pytest.raises(ProviderUnavailable, match="connection refused") as info:
        await caller("AWS/SecretsManager", client, "GetSecretValue", SecretId="x")
    assert isinstance(info.value.__cause__, EndpointConnectionError)
    assert client.calls == 2
    assert recorder.calls == [("AWS/SecretsManager", "GetSecretValue", "error")]


async def test_permanent_errors_are_not_retried() -> None:
    recorder = Recorder()
    caller = ApiCaller(recorder, RetryPolicy(attempts=5, interval=0), sleep=no_sleep)
    client = FlakyClient([not_found()])
    with pytest.raises(SecretNotFound):
        await caller("AWS/ParameterStore", client, "GetSecretValue", SecretId="x")
    assert client.calls == 1
    assert recorder.calls == [("AWS/ParameterStore", "GetSecretValue", "error")]


def test_default_policy_is_exponential_and_capped() -> None:
    policy = RetryPolicy.from_store(None, None)
    assert policy.attempts == 3
    assert all(0 <= policy.delay(n) <= min(20.0, 0.5 * 2 ** (n - 1)) for n in range(1, 10))
