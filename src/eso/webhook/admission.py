"""The admission.k8s.io AdmissionReview wire format: parse a request, build a response.

:func:`parse_review` turns the decoded JSON body into an :class:`AdmissionRequest`,
raising :class:`~eso.errors.SpecError` naming the field when the review is malformed
(the server answers 400). :func:`review_response` builds the AdmissionReview that goes
back, echoing the request's ``apiVersion`` (``v1``; ``v1beta1`` is accepted too) and
``uid``; warnings are made printable (the API server drops one holding a newline). A
denial carries ``status.code`` 403 and reason ``Forbidden``, as controller-runtime's;
kubectl shows it as ``admission webhook "…" denied the request: …``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eso.errors import SpecError

__all__ = ["REVIEW_VERSIONS", "AdmissionRequest", "parse_review", "review_response"]

REVIEW_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")
_OPERATIONS = ("CREATE", "UPDATE", "DELETE", "CONNECT")
_MAX_MESSAGE = 4096
_MAX_WARNING = 1024


def _printable(text: str) -> str:
    """The API server drops warnings with control characters: replace them with spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)[:_MAX_WARNING]


@dataclass(frozen=True, slots=True)
class AdmissionRequest:
    """The parts of ``AdmissionReview.request`` the validators use."""

    api_version: str
    uid: str
    operation: str
    kind: str
    name: str
    namespace: str
    object: Mapping[str, Any] | None
    old_object: Mapping[str, Any] | None
    dry_run: bool = False


def _mapping(value: Any, field: str, *, required: bool) -> Mapping[str, Any] | None:
    if value is None:
        if required:
            raise SpecError("is required", field=field)
        return None
    if not isinstance(value, Mapping):
        raise SpecError("must be an object", field=field)
    return value


def _string(request: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = request.get(key)
    if value is None or value == "":
        if required:
            raise SpecError("is required", field=f"request.{key}")
        return ""
    if not isinstance(value, str):
        raise SpecError("must be a string", field=f"request.{key}")
    return value


def parse_review(body: Any) -> AdmissionRequest:
    """The request of an AdmissionReview; SpecError naming the field when it is malformed."""
    review = _mapping(body, "(body)", required=True)
    assert review is not None
    api_version = review.get("apiVersion")
    if api_version not in REVIEW_VERSIONS:
        raise SpecError(f"must be one of {', '.join(REVIEW_VERSIONS)}", field="apiVersion")
    if review.get("kind") != "AdmissionReview":
        raise SpecError("must be AdmissionReview", field="kind")
    request = _mapping(review.get("request"), "request", required=True)
    assert request is not None
    operation = _string(request, "operation", required=True)
    if operation not in _OPERATIONS:
        raise SpecError(f"must be one of {', '.join(_OPERATIONS)}", field="request.operation")
    kind = _mapping(request.get("kind"), "request.kind", required=True)
    assert kind is not None
    kind_name = kind.get("kind")
    if not isinstance(kind_name, str) or not kind_name:
        raise SpecError("is required", field="request.kind.kind")
    needs_object = operation in ("CREATE", "UPDATE")
    obj = _mapping(request.get("object"), "request.object", required=needs_object)
    old = _mapping(request.get("oldObject"), "request.oldObject", required=operation == "UPDATE")
    dry_run = request.get("dryRun", False)
    return AdmissionRequest(
        api_version=str(api_version),
        uid=_string(request, "uid", required=True),
        operation=operation,
        kind=kind_name,
        name=_string(request, "name"),
        namespace=_string(request, "namespace"),
        object=obj,
        old_object=old,
        dry_run=dry_run is True,
    )


def review_response(
    uid: str,
    *,
    allowed: bool,
    message: str = "",
    warnings: Sequence[str] = (),
    api_version: str = REVIEW_VERSIONS[0],
) -> dict[str, Any]:
    """The AdmissionReview answering request ``uid``."""
    response: dict[str, Any] = {"uid": uid, "allowed": allowed}
    if not allowed:
        response["status"] = {
            "code": 403,
            "reason": "Forbidden",
            "message": message[:_MAX_MESSAGE] or "denied",
        }
    elif message:
        response["status"] = {"code": 200, "message": message[:_MAX_MESSAGE]}
    if warnings:
        response["warnings"] = [_printable(w) for w in warnings]
    return {"apiVersion": api_version, "kind": "AdmissionReview", "response": response}
