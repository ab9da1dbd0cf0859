"""Status: sorted lists, empty lists left out, ESO's failure message, a clear no-match message."""

from __future__ import annotations

from eso.controllers.clusterexternalsecret.status import (
    FAILED_MESSAGE,
    NO_NAMESPACE_MESSAGE,
    StatusReport,
    desired_status,
    new_failures,
)


def ready(status: dict) -> dict:
    (cond,) = [c for c in status["conditions"] if c["type"] == "Ready"]
    return cond


def test_lists_are_sorted_and_ready_is_true() -> None:
    status = desired_status({}, StatusReport("child", ["b", "a", "c"]))
    assert status["externalSecretName"] == "child"
    assert status["provisionedNamespaces"] == ["a", "b", "c"]
    assert "failedNamespaces" not in status
    cond = ready(status)
    assert cond["status"] == "True"
    assert cond["message"] == 'ExternalSecret "child" provisioned in 3 namespaces'
    assert "reason" not in cond


def test_failures_are_sorted_and_ready_false_with_esos_message() -> None:
    report = StatusReport("child", ["a"], {"z": "external secret already exists in namespace", "m": "boom"})
    status = desired_status({"provisionedNamespaces": ["old"]}, report)
    assert status["failedNamespaces"] == [
        {"namespace": "m", "reason": "boom"},
        {"namespace": "z", "reason": "external secret already exists in namespace"},
    ]
    assert status["provisionedNamespaces"] == ["a"]
    assert (ready(status)["status"], ready(status)["message"]) == ("False", FAILED_MESSAGE)


def test_no_namespace_matched_is_ready_with_a_message_and_no_lists() -> None:
    status = desired_status(
        {"provisionedNamespaces": ["gone"], "failedNamespaces": [{"namespace": "x"}]},
        StatusReport("child", matched=False),
    )
    assert "provisionedNamespaces" not in status
    assert "failedNamespaces" not in status
    assert (ready(status)["status"], ready(status)["message"]) == ("True", NO_NAMESPACE_MESSAGE)


def test_an_unchanged_outcome_gives_an_identical_status() -> None:
    first = desired_status({}, StatusReport("child", ["a"]))
    assert desired_status(first, StatusReport("child", ["a"])) == first


def test_an_invalid_spec_keeps_the_lists() -> None:
    old = {"externalSecretName": "child", "provisionedNamespaces": ["a"]}
    status = desired_status(old, StatusReport.invalid("invalid ClusterExternalSecret: spec.refreshTime: bad"))
    assert status["provisionedNamespaces"] == ["a"]
    assert ready(status)["status"] == "False"
    assert "spec.refreshTime" in ready(status)["message"]


def test_only_new_failures_are_announced() -> None:
    old = {"failedNamespaces": [{"namespace": "a", "reason": "r"}]}
    report = StatusReport("c", [], {"a": "r", "b": "r", "c": "other"})
    assert new_failures(old, report) == {"b": "r", "c": "other"}
