"""AdmissionReview round trips through the aiohttp application; malformed input gets 400."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from eso.errors import SpecError
from eso.webhook.admission import parse_review, review_response
from eso.webhook.configuration import WEBHOOK_KINDS
from eso.webhook.server import MAX_BODY_BYTES, WebhookServer, parse_addr
from eso.webhook.telemetry import WebhookMetrics
from eso.webhook.tlsreload import ServingCertificate
from eso.webhook.validators import AdmissionValidator
from tests.unit.webhook.helpers import es, registry, review, seed, store

ES_PATH = "/validate-external-secrets-io-v1-externalsecret"
PS_PATH = "/validate-external-secrets-io-v1alpha1-pushsecret"
REF = {"name": "s", "kind": "SecretStore"}
DATA = [{"secretKey": "k", "remoteRef": {"key": "r"}}]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient[Any, Any]]:
    server = WebhookServer(AdmissionValidator(registry()), ServingCertificate(tmp_path), WebhookMetrics())
    async with TestClient(TestServer(server.admission_app())) as test_client:
        yield test_client


async def _post(client: TestClient[Any, Any], path: str, body: Any) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = await client.post(path, data=data, headers={"Content-Type": "application/json"})
    text = await response.text()
    return response.status, (json.loads(text) if text.startswith("{") else text)


def test_paths_are_esos() -> None:
    assert [k.path for k in WEBHOOK_KINDS] == [
        "/validate-external-secrets-io-v1-externalsecret",
        "/validate-external-secrets-io-v1-secretstore",
        "/validate-external-secrets-io-v1-clustersecretstore",
        "/validate-external-secrets-io-v1-clusterexternalsecret",
        "/validate-external-secrets-io-v1alpha1-pushsecret",
    ]


async def test_allowed_round_trip_echoes_uid_and_version(client: TestClient[Any, Any]) -> None:
    body = review(es({"secretStoreRef": REF, "data": DATA}))
    status, answer = await _post(client, ES_PATH, body)
    assert status == 200
    assert answer["apiVersion"] == "admission.k8s.io/v1"
    assert answer["kind"] == "AdmissionReview"
    assert answer["response"] == {"uid": body["request"]["uid"], "allowed": True}


async def test_denial_carries_403_and_the_field(client: TestClient[Any, Any]) -> None:
    body = review(seed("push-secret.yaml"))
    status, answer = await _post(client, PS_PATH, body)
    assert status == 200
    response = answer["response"]
    assert response["allowed"] is False
    assert response["status"]["code"] == 403
    assert response["status"]["reason"] == "Forbidden"
    assert response["status"]["message"].startswith("spec.selector: is missing")


async def test_warnings_are_in_the_response(client: TestClient[Any, Any]) -> None:
    body = review(store({"fake": {"data": [{"key": "k", "value": "v"}]}}))
    _, answer = await _post(client, "/validate-external-secrets-io-v1-secretstore", body)
    assert answer["response"]["allowed"] is True
    assert any("fake provider" in w for w in answer["response"]["warnings"])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "request body is empty"),
        (b"{not json", "request body is not JSON"),
        (b"\xff\xfe", "request body is not JSON"),
        ([1, 2], "(body): must be an object"),
        ({"apiVersion": "v1", "kind": "Pod"}, "apiVersion: must be one of"),
        ({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}, "request: is required"),
        (
            {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": "u"}},
            "request.operation: is required",
        ),
        (
            {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {"uid": "u", "operation": "CREATE", "kind": {"kind": "ExternalSecret"}},
            },
            "request.object: is required",
        ),
        (
            {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {
                    "uid": "u",
                    "operation": "CREATE",
                    "kind": {"kind": "ExternalSecret"},
                    "object": "x",
                },
            },
            "request.object: must be an object",
        ),
        (
            {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {"uid": 5, "operation": "DELETE", "kind": {"kind": "ExternalSecret"}},
            },
            "request.uid: must be a string",
        ),
    ],
    ids=[
        "empty",
        "not-json",
        "not-utf8",
        "list",
        "not-review",
        "no-request",
        "no-op",
        "no-object",
        "bad-object",
        "uid",
    ],
)
async def test_malformed_requests_get_400(client: TestClient[Any, Any], body: Any, expected: str) -> None:
    status, answer = await _post(client, ES_PATH, body)
    assert status == 400
    assert answer["kind"] == "Status"
    assert answer["reason"] == "BadRequest"
    assert expected in answer["message"]


async def test_an_object_that_is_not_a_manifest_is_denied_not_crashed(client: TestClient[Any, Any]) -> None:
    body = review({"kind": "ExternalSecret", "metadata": {"name": "x"}})
    status, answer = await _post(client, ES_PATH, body)
    assert status == 200
    assert answer["response"]["allowed"] is False
    assert "apiVersion: is required" in answer["response"]["status"]["message"]


async def test_oversized_body_gets_413(client: TestClient[Any, Any]) -> None:
    body = io.BytesIO(b" " * (MAX_BODY_BYTES + 1))
    response = await client.post(ES_PATH, data=body, headers={"Content-Type": "application/json"})
    assert response.status == 413


async def test_unknown_path_and_method(client: TestClient[Any, Any]) -> None:
    assert (await client.post("/validate-nothing", data=b"{}")).status == 404
    assert (await client.get(ES_PATH)).status == 405


async def test_readyz_fails_until_a_certificate_is_loaded(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/healthz")).status == 200
    response = await client.get("/readyz")
    assert response.status == 503
    assert "no valid serving certificate" in await response.text()


def test_parse_review_reads_the_request() -> None:
    body = review(es({"secretStoreRef": REF, "data": DATA}), "UPDATE", old=es({"secretStoreRef": REF}))
    body["request"]["dryRun"] = True
    request = parse_review(body)
    assert (request.operation, request.kind, request.namespace, request.dry_run) == (
        "UPDATE",
        "ExternalSecret",
        "ns",
        True,
    )
    assert request.old_object is not None


def test_parse_review_requires_the_old_object_on_update() -> None:
    with pytest.raises(SpecError, match=r"request\.oldObject: is required"):
        parse_review(review(es({}), "UPDATE"))


def test_review_response_makes_warnings_printable() -> None:
    answer = review_response("u", allowed=True, warnings=["line one\nline two"])
    assert answer["response"]["warnings"] == ["line one line two"]


def test_parse_addr() -> None:
    assert parse_addr(":8081") == ("127.0.0.1", 8081)
    assert parse_addr("0.0.0.0:1") == ("0.0.0.0", 1)
    assert parse_addr("0") is None
    with pytest.raises(Exception, match="host:port"):
        parse_addr("nope")


async def test_metrics_count_requests(tmp_path: Path) -> None:
    metrics = WebhookMetrics()
    server = WebhookServer(AdmissionValidator(registry()), ServingCertificate(tmp_path), metrics)
    async with TestClient(TestServer(server.admission_app())) as test_client:
        await _post(test_client, ES_PATH, review(es({"secretStoreRef": REF})))
        await _post(test_client, ES_PATH, b"")
    text = metrics.exposition().decode()
    assert f'controller_runtime_webhook_requests_total{{code="200",webhook="{ES_PATH}"}} 1.0' in text
    assert f'controller_runtime_webhook_requests_total{{code="400",webhook="{ES_PATH}"}} 1.0' in text
    assert 'eso_webhook_admission_total{allowed="false",kind="ExternalSecret",operation="CREATE"} 1.0' in text
