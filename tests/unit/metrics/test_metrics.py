"""Metric names and labels are ESO's, exactly."""

from __future__ import annotations

from eso.metrics import Metrics


def test_exposition_uses_eso_names_without_added_suffixes() -> None:
    m = Metrics()
    m.sync_call("default", "db", error=False)
    m.sync_call("default", "db", error=True)
    m.provider_call("AWS/SecretsManager", "GetSecretValue", "success")
    m.set_condition("externalsecret", "default", "db", "Ready", "True")
    m.reconcile_duration("externalsecret", "default", "db", 0.25)
    text = m.exposition().decode()
    assert 'externalsecret_sync_calls_total{name="db",namespace="default"} 2.0' in text
    assert 'externalsecret_sync_calls_error{name="db",namespace="default"} 1.0' in text
    assert "externalsecret_sync_calls_error_total" not in text
    series = 'call="GetSecretValue",provider="AWS/SecretsManager",status="success"'
    assert f"externalsecret_provider_api_calls_count{{{series}}} 1.0" in text
    assert (
        'externalsecret_status_condition{condition="Ready",name="db",namespace="default",status="True"} 1.0'
        in text
    )
    assert (
        'externalsecret_status_condition{condition="Ready",name="db",namespace="default",status="False"} 0.0'
        in text
    )
    assert 'externalsecret_reconcile_duration{name="db",namespace="default"} 2.5e+08' in text


def test_forget_removes_every_series_of_an_object() -> None:
    m = Metrics()
    m.set_condition("externalsecret", "default", "db", "Ready", "True")
    m.set_condition("externalsecret", "default", "other", "Ready", "True")
    m.sync_call("default", "db", error=True)
    m.forget("externalsecret", "default", "db")
    text = m.exposition().decode()
    assert 'status_condition{condition="Ready",name="db"' not in text
    assert 'status_condition{condition="Ready",name="other"' in text
    assert m.sync_errors("default", "db") == 0


def test_ready_flips_and_other_conditions_keep_their_own_series() -> None:
    m = Metrics()
    m.set_condition("pushsecret", "apps", "push", "Ready", "True")
    m.set_condition("pushsecret", "apps", "push", "Ready", "False")
    m.set_condition("clusterexternalsecret", "", "fan", "Deleted", "True")
    assert m.condition("pushsecret", "apps", "push", "Ready", "False") == 1
    assert m.condition("pushsecret", "apps", "push", "Ready", "True") == 0
    text = m.exposition().decode()
    assert (
        'pushsecret_status_condition{condition="Ready",name="push",namespace="apps",status="False"} 1.0'
        in text
    )
    assert (
        'pushsecret_status_condition{condition="Ready",name="push",namespace="apps",status="True"} 0.0'
        in text
    )
    deleted = 'condition="Deleted",name="fan",namespace="",status="True"'
    assert f"clusterexternalsecret_status_condition{{{deleted}}} 1.0" in text
    assert "# TYPE pushsecret_status_condition gauge" in text
    m.forget("clusterexternalsecret", "", "fan")
    assert "Deleted" not in m.exposition().decode()
