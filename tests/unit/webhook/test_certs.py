"""Certificate generation and the keep / reissue / renew decisions."""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from cryptography import x509

from eso.webhook.certs import (
    Action,
    CertBundle,
    CertPolicy,
    inspect,
    plan,
    rotate,
    service_dns_names,
    serving_problem,
)
from eso.webhook.certsync import write_cert_dir

T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
NAMES = service_dns_names("external-secrets-webhook", "eso")
POLICY = CertPolicy(dns_names=NAMES, ip_addresses=("127.0.0.1",), validity=365 * DAY, lookahead=90 * DAY)


@pytest.fixture(scope="module")
def bundle() -> CertBundle:
    return rotate(None, POLICY, T0, Action.RENEW)


def test_service_names() -> None:
    assert NAMES == (
        "external-secrets-webhook",
        "external-secrets-webhook.eso",
        "external-secrets-webhook.eso.svc",
        "external-secrets-webhook.eso.svc.cluster.local",
    )


def test_new_bundle_is_a_ca_and_a_serving_certificate_for_the_service(bundle: CertBundle) -> None:
    ca, serving = inspect(bundle.ca_cert), inspect(bundle.tls_cert)
    assert ca is not None
    assert serving is not None
    assert ca.is_ca
    assert not serving.is_ca
    assert serving.dns_names == NAMES
    assert serving.ip_addresses == ("127.0.0.1",)
    assert ca.not_after == T0 + 365 * DAY
    assert serving.not_before == T0 - datetime.timedelta(hours=1)
    server = x509.load_pem_x509_certificate(bundle.tls_cert)
    server.verify_directly_issued_by(x509.load_pem_x509_certificate(bundle.ca_cert))
    usage = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.oid.ExtendedKeyUsageOID.SERVER_AUTH in usage
    assert b"PRIVATE KEY" in bundle.tls_key
    assert b"PRIVATE KEY" in bundle.ca_key


def test_default_policy_is_esos() -> None:
    policy = CertPolicy(dns_names=NAMES)
    assert policy.validity == datetime.timedelta(days=3650)
    assert policy.lookahead == datetime.timedelta(hours=2160)


def test_nothing_stored_means_renew() -> None:
    assert plan(None, POLICY, T0).action is Action.RENEW


@pytest.mark.parametrize("days", [0, 100, 274])
def test_valid_certificates_are_kept(bundle: CertBundle, days: int) -> None:
    decision = plan(bundle, POLICY, T0 + days * DAY)
    assert decision.action is Action.KEEP, decision.reason


@pytest.mark.parametrize("days", [276, 364, 400])
def test_near_expiry_means_renew(bundle: CertBundle, days: int) -> None:
    decision = plan(bundle, POLICY, T0 + days * DAY)
    assert decision.action is Action.RENEW
    assert "CA certificate expires" in decision.reason


def test_renew_keeps_the_previous_ca_in_the_bundle_while_it_is_valid(bundle: CertBundle) -> None:
    now = T0 + 300 * DAY
    renewed = rotate(bundle, POLICY, now, Action.RENEW)
    authorities = x509.load_pem_x509_certificates(renewed.ca_cert)
    assert len(authorities) == 2
    assert authorities[1] == x509.load_pem_x509_certificate(bundle.ca_cert)
    assert plan(renewed, POLICY, now).action is Action.KEEP
    # once the old CA has expired it is dropped at the next rotation
    later = rotate(renewed, POLICY, T0 + 400 * DAY, Action.REISSUE)
    assert len(x509.load_pem_x509_certificates(later.ca_cert)) == 1


def test_serving_certificate_near_expiry_is_reissued_by_the_same_ca(bundle: CertBundle) -> None:
    ca = rotate(None, CertPolicy(NAMES, validity=3650 * DAY, lookahead=90 * DAY), T0, Action.RENEW)
    short = CertPolicy(NAMES, validity=100 * DAY, lookahead=90 * DAY)
    reissued = rotate(ca, short, T0, Action.REISSUE)
    assert reissued.ca_cert == ca.ca_cert
    assert reissued.ca_key == ca.ca_key
    assert plan(reissued, short, T0).action is Action.KEEP
    decision = plan(reissued, short, T0 + 11 * DAY)
    assert decision.action is Action.REISSUE
    assert "serving certificate expires" in decision.reason
    again = rotate(reissued, short, T0 + 11 * DAY, decision.action)
    assert again.ca_cert == ca.ca_cert
    assert again.tls_cert != reissued.tls_cert


def test_missing_names_are_added_to_the_existing_ones(bundle: CertBundle) -> None:
    wider = CertPolicy((*NAMES, "webhook.example"), ("10.0.0.1",), POLICY.validity, POLICY.lookahead)
    decision = plan(bundle, wider, T0)
    assert decision.action is Action.REISSUE
    assert "does not cover webhook.example, 10.0.0.1" in decision.reason
    reissued = rotate(bundle, wider, T0, decision.action)
    info = inspect(reissued.tls_cert)
    assert info is not None
    assert set(info.dns_names) == {*NAMES, "webhook.example"}
    assert set(info.ip_addresses) == {"127.0.0.1", "10.0.0.1"}
    # a replica that asks for fewer names keeps the wider certificate (no flip-flop)
    assert plan(reissued, POLICY, T0).action is Action.KEEP


def test_a_serving_key_that_does_not_match_is_reissued(bundle: CertBundle) -> None:
    other = rotate(None, POLICY, T0, Action.RENEW)
    mixed = CertBundle(bundle.ca_cert, bundle.ca_key, bundle.tls_cert, other.tls_key)
    decision = plan(mixed, POLICY, T0)
    assert decision.action is Action.REISSUE
    assert "does not match its key" in decision.reason


def test_a_serving_certificate_from_another_ca_is_reissued(bundle: CertBundle) -> None:
    other = rotate(None, POLICY, T0, Action.RENEW)
    mixed = CertBundle(bundle.ca_cert, bundle.ca_key, other.tls_cert, other.tls_key)
    decision = plan(mixed, POLICY, T0)
    assert decision.action is Action.REISSUE
    assert "not signed by the current CA" in decision.reason


@pytest.mark.parametrize("field", ["ca_cert", "ca_key"])
def test_a_broken_ca_means_renew(bundle: CertBundle, field: str) -> None:
    broken = dataclasses.replace(bundle, **{field: b"garbage"})
    assert plan(broken, POLICY, T0).action is Action.RENEW


def test_secret_data_round_trip(bundle: CertBundle) -> None:
    data = bundle.to_secret_data()
    assert sorted(data) == ["ca.crt", "ca.key", "tls.crt", "tls.key"]
    assert CertBundle.from_secret_data(data) == bundle
    assert CertBundle.from_secret_data({**data, "tls.key": "%%%"}) is None
    assert CertBundle.from_secret_data({k: v for k, v in data.items() if k != "ca.key"}) is None
    assert CertBundle.from_secret_data(None) is None


def test_serving_problem_is_the_readiness_check(bundle: CertBundle) -> None:
    hour = datetime.timedelta(hours=1)
    ok = serving_problem(bundle.tls_cert, bundle.tls_key, now=T0, min_remaining=hour, dns_names=NAMES[2:3])
    assert ok is None
    late = T0 + 365 * DAY - datetime.timedelta(minutes=30)
    assert "expires" in str(serving_problem(bundle.tls_cert, bundle.tls_key, now=late, min_remaining=hour))
    early = T0 - 2 * hour
    assert "not valid yet" in str(
        serving_problem(bundle.tls_cert, bundle.tls_key, now=early, min_remaining=hour)
    )
    missing = serving_problem(
        bundle.tls_cert, bundle.tls_key, now=T0, min_remaining=hour, dns_names=["x.svc"]
    )
    assert missing == "the serving certificate does not cover x.svc"


def test_write_cert_dir_writes_only_changes_and_protects_the_key(tmp_path: Path, bundle: CertBundle) -> None:
    target = tmp_path / "certs"
    assert write_cert_dir(target, bundle)
    assert (target / "tls.crt").read_bytes() == bundle.tls_cert
    assert (target / "ca.crt").read_bytes() == bundle.ca_cert
    assert (target / "tls.key").stat().st_mode & 0o777 == 0o600
    assert not write_cert_dir(target, bundle)
    assert sorted(p.name for p in target.iterdir()) == ["ca.crt", "tls.crt", "tls.key"]
