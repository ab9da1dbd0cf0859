"""SDK error → eso error mapping and message sanitizing (ESO util/errors.go)."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
    ReadTimeoutError,
)

from eso.errors import ProviderAuthError, ProviderError, ProviderUnavailable, SecretNotFound
from eso.providers.aws.errors import error_from_code, map_error, sanitize


def client_error(code: str, message: str, status: int = 400) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "GetSecretValue",
    )


def test_sanitize_request_id_and_credential() -> None:
    text = (
        "operation error Secrets Manager: GetSecretValue, https response error StatusCode: 403, "
        "request id: 7f1b2c3d-aaaa-bbbb, api error SignatureDoesNotMatch: The request signature "
        "we calculated does not match. Authorization=AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/"
        "eu-west-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=abcdef"
    )
    clean = sanitize(text)
    assert "7f1b2c3d" not in clean
    assert "request id" not in clean.lower()
    assert "AKIAEXAMPLE" not in clean
    assert "Signature=abcdef" not in clean
    assert clean.endswith("Authorization=AWS4-HMAC-SHA256")
    assert "SignatureDoesNotMatch" in clean


def test_sanitize_redacts_sensitive_values_and_quoted_values() -> None:
    text = "1 validation error detected: Value 'hunter2-secret' at 'secretString' failed; got hunter2-secret"
    clean = sanitize(text, sensitive=[b"hunter2-secret"])
    assert "hunter2" not in clean
    assert "[redacted]" in clean
    assert "hunter2" not in sanitize("Value 'hunter2' at 'x' failed")


@pytest.mark.parametrize(
    ("code", "message", "status", "kind"),
    [
        (
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
            400,
            SecretNotFound,
        ),
        ("ParameterNotFound", "", 400, SecretNotFound),
        ("ParameterVersionNotFound", "", 400, SecretNotFound),
        ("InvalidResourceId", "", 400, SecretNotFound),
        (
            "InvalidRequestException",
            "You can't perform this operation because it was marked for deletion.",
            400,
            SecretNotFound,
        ),
        (
            "InvalidRequestException",
            "You tried to perform the operation on a secret that's currently marked deleted.",
            400,
            SecretNotFound,
        ),
        ("InvalidParameterException", "was marked for deletion", 400, SecretNotFound),
        ("InvalidRequestException", "something else", 400, ProviderError),
        ("AccessDeniedException", "not authorized", 400, ProviderAuthError),
        ("AccessDenied", "", 403, ProviderAuthError),
        (
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            400,
            ProviderAuthError,
        ),
        ("InvalidSignatureException", "", 400, ProviderAuthError),
        ("ExpiredTokenException", "", 400, ProviderAuthError),
        ("ExpiredToken", "", 400, ProviderAuthError),
        ("ThrottlingException", "Rate exceeded", 400, ProviderUnavailable),
        ("TooManyRequestsException", "", 429, ProviderUnavailable),
        ("InternalServiceError", "", 500, ProviderUnavailable),
        ("SomethingNew", "", 503, ProviderUnavailable),
        ("ValidationException", "bad", 400, ProviderError),
    ],
)
def test_client_error_classes(code: str, message: str, status: int, kind: type[Exception]) -> None:
    exc = client_error(code, message, status)
    mapped = map_error("GetSecretValue", exc)
    assert type(mapped) is kind
    assert str(mapped).startswith(f"GetSecretValue: {code}")
    assert type(error_from_code("BatchGetSecretValue", code, message, status)) is kind


def test_connection_refused_names_the_cause() -> None:
    inner = ConnectionRefusedError(111, "Connection refused")
    exc = EndpointConnectionError(endpoint_url="http://127.0.0.1:1/", error=inner)
    mapped = map_error("GetSecretValue", exc)
    assert isinstance(mapped, ProviderUnavailable)
    assert str(mapped) == "GetSecretValue: could not reach http://127.0.0.1:1/: connection refused"
    assert mapped.temporary


def test_timeouts_name_the_cause() -> None:
    for exc in (
        ConnectTimeoutError(endpoint_url="http://x/"),
        ReadTimeoutError(endpoint_url="http://x/"),
        TimeoutError(),
    ):
        mapped = map_error("ListSecrets", exc)
        assert isinstance(mapped, ProviderUnavailable)
        assert "timeout" in str(mapped)


def test_missing_credentials_and_param_validation() -> None:
    assert isinstance(map_error("GetSecretValue", NoCredentialsError()), ProviderAuthError)
    report = (
        "Invalid type for parameter SecretString, value: sk-live-123, type: <class 'int'>, "
        "valid types: <class 'str'>"
    )
    mapped = map_error("PutSecretValue", ParamValidationError(report=report))
    assert type(mapped) is ProviderError
    assert "sk-live-123" not in str(mapped)


def test_unknown_exception_is_a_temporary_provider_error() -> None:
    mapped = map_error("GetParameter", RuntimeError("boom"))
    assert type(mapped) is ProviderError
    assert mapped.temporary
