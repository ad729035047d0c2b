"""The gateway check against the fake LiteLLM-like gateway over real HTTP: every finding kind,
its resolution, which calls it tries, and a gateway that refuses, stalls or redirects."""

import http.server
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from core.choices import JobKind
from core.models import JobRun
from gateways.choices import FindingKind, FindingStatus
from gateways.models import Gateway, GatewayFinding, GatewayProbe
from gateways.services.checks import gateways_check
from tests.catalog.api_support import adopt
from tests.factories import AIModelFactory, BusinessUnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def check(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        gateways_check()


def findings(status=FindingStatus.OPEN) -> set[tuple[str, str, str]]:
    rows = GatewayFinding.objects.filter(status=status)
    return {(f.unit.slug, f.kind, f.model_name) for f in rows.select_related("unit")}


def test_a_gateway_that_serves_each_unit_its_list_has_no_finding(
    gateway, django_capture_on_commit_callbacks, mailoutbox
):
    check(django_capture_on_commit_callbacks)

    assert findings() == set()
    assert mailoutbox == []
    run = JobRun.objects.get(kind=JobKind.CHECK_GATEWAYS)
    assert (run.checked, run.flagged, run.errors, run.finished_at is not None) == (2, 0, [], True)
    assert Gateway.objects.get().checked_at is not None


def test_the_calls_tried_are_other_units_names_then_the_units_former_ones(
    gateway, fake, django_capture_on_commit_callbacks
):
    check(django_capture_on_commit_callbacks)

    assert sorted(fake.gateway.calls) == [
        ("engineering", "drafts"),
        ("marketing", "codestral"),
        ("marketing", "old-chat"),
    ]


def test_no_more_calls_are_tried_than_gateway_deny_probes(
    gateway, fake, settings, django_capture_on_commit_callbacks
):
    settings.GATEWAY_DENY_PROBES = 1

    check(django_capture_on_commit_callbacks)

    assert sorted(fake.gateway.calls) == [("engineering", "drafts"), ("marketing", "codestral")]


def test_a_model_listed_for_a_unit_that_may_not_use_it_is_a_leak_told_once(
    gateway, fake, manager, catalog_admin, django_capture_on_commit_callbacks, mailoutbox
):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]

    check(django_capture_on_commit_callbacks)
    check(django_capture_on_commit_callbacks)

    assert findings() == {("marketing", FindingKind.LEAK, "codestral")}
    (mail,) = mailoutbox
    assert set(mail.to) == {manager.email, catalog_admin.email}
    assert "“codestral”" in mail.body and "Marketing" in mail.subject


def test_a_leak_resolves_when_a_later_check_no_longer_sees_it(
    gateway, fake, django_capture_on_commit_callbacks, mailoutbox
):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]
    check(django_capture_on_commit_callbacks)
    fake.gateway.team("marketing").models = ["drafts"]

    check(django_capture_on_commit_callbacks)

    assert findings() == set()
    resolved = GatewayFinding.objects.get(status=FindingStatus.RESOLVED)
    assert resolved.resolved_at is not None and resolved.model_name == "codestral"


def test_a_gateway_that_answers_calls_it_lists_as_denied_leaks(
    gateway, django_capture_on_commit_callbacks
):
    Gateway.objects.update(base_url=gateway.base_url.replace("/gateway", "/_fault/leak/gateway"))

    check(django_capture_on_commit_callbacks)

    assert findings() == {
        ("marketing", FindingKind.LEAK, "codestral"),
        ("marketing", FindingKind.LEAK, "old-chat"),
        ("engineering", FindingKind.LEAK, "drafts"),
    }
    assert "answered a call" in GatewayFinding.objects.first().detail


def test_a_model_on_the_list_the_gateway_does_not_serve_is_drift(
    gateway, fake, django_capture_on_commit_callbacks
):
    Gateway.objects.update(base_url=gateway.base_url.replace("/gateway", "/_fault/drift/gateway"))

    check(django_capture_on_commit_callbacks)

    assert findings() == {
        ("marketing", FindingKind.DRIFT, "drafts"),
        ("engineering", FindingKind.DRIFT, "codestral"),
    }


def test_a_team_with_no_models_is_open_to_every_model_and_leaks(
    gateway, fake, django_capture_on_commit_callbacks
):
    fake.gateway.team("engineering").models = []

    check(django_capture_on_commit_callbacks)

    leaks = {name for unit, kind, name in findings() if unit == "engineering"}
    assert {"drafts", "gpt-4o", "mistral-large"} <= leaks


def test_a_probe_key_the_gateway_refuses_makes_it_unreachable(
    gateway, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("GATEWAY_MARKETING_KEY", "sk-revoked")

    check(django_capture_on_commit_callbacks)

    (finding,) = GatewayFinding.objects.all()
    assert (finding.unit.slug, finding.kind) == ("marketing", FindingKind.UNREACHABLE)
    assert "refused the probe key (HTTP 401)" in finding.detail
    assert "sk-revoked" not in finding.detail


def test_a_probe_whose_key_variable_is_unset_is_unreachable(
    gateway, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.delenv("GATEWAY_ENGINEERING_KEY")

    check(django_capture_on_commit_callbacks)

    assert findings() == {("engineering", FindingKind.UNREACHABLE, "")}


def test_a_gateway_that_times_out_is_unreachable_and_keeps_what_it_could_not_look_at(
    gateway, fake, django_capture_on_commit_callbacks
):
    fake.gateway.team("marketing").models = ["drafts", "codestral"]
    check(django_capture_on_commit_callbacks)
    Gateway.objects.update(base_url=gateway.base_url.replace("/gateway", "/_fault/timeout/gateway"))

    check(django_capture_on_commit_callbacks)

    assert findings() == {
        ("marketing", FindingKind.LEAK, "codestral"),  # not looked at: still open
        ("marketing", FindingKind.UNREACHABLE, ""),
        ("engineering", FindingKind.UNREACHABLE, ""),
    }
    assert "timed out" in GatewayFinding.objects.filter(kind=FindingKind.UNREACHABLE)[0].detail


def test_unreachable_resolves_once_the_gateway_answers_again(
    gateway, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    monkeypatch.setenv("GATEWAY_MARKETING_KEY", "sk-revoked")
    check(django_capture_on_commit_callbacks)
    monkeypatch.setenv("GATEWAY_MARKETING_KEY", "sk-team-marketing")

    check(django_capture_on_commit_callbacks)

    assert findings() == set()
    assert findings(FindingStatus.RESOLVED) == {("marketing", FindingKind.UNREACHABLE, "")}


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Another origin: records the headers of anything that reaches it."""

    seen: list[dict[str, str]] = []

    def do_GET(self):  # noqa: N802 - stdlib name
        _Recorder.seen.append(dict(self.headers))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"data": [{"id": "drafts"}]}')

    def log_message(self, *args):
        pass


def test_a_redirect_to_another_origin_gets_no_key_and_no_verdict(
    gateway, fake, settings, django_capture_on_commit_callbacks
):
    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    origin = f"127.0.0.1:{other.server_address[1]}"
    elsewhere = f"http://{origin}/v1/models"
    settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, origin]
    fake.answer("/gateway/v1/models", b"", 302, {"Location": elsewhere})
    _Recorder.seen = []
    try:
        check(django_capture_on_commit_callbacks)
    finally:
        other.shutdown()
        other.server_close()

    assert _Recorder.seen == []
    finding = GatewayFinding.objects.filter(kind=FindingKind.UNREACHABLE).first()
    assert (
        finding is not None and "redirect" in finding.detail and "another origin" in finding.detail
    )


def _units_with_probes(gateway, count: int) -> None:
    for n in range(count):
        unit = BusinessUnitFactory(slug=f"unit-{count}-{n}")
        adopt(unit, AIModelFactory(slug=f"model-{count}-{n}"))
        manager = UserFactory(username=f"manager-{count}-{n}")
        Membership.objects.create(user=manager, unit=unit, role=Membership.Role.MANAGER)
        GatewayProbe.objects.create(gateway=gateway, unit=unit, key_env="GATEWAY_SHARED_KEY")


def test_writing_findings_costs_the_same_queries_for_two_units_or_twelve(
    fake, outbound, monkeypatch, django_capture_on_commit_callbacks
):
    """Every unit's key is refused (a leak-free way to give each unit a finding to write)."""
    monkeypatch.setenv("GATEWAY_SHARED_KEY", "sk-nobody")
    counts = []
    for size in (2, 12):
        GatewayProbe.objects.all().delete()
        gateway = Gateway.objects.create(name=f"Proxy {size}", base_url=f"{fake.url}/gateway")
        _units_with_probes(gateway, size)
        with CaptureQueriesContext(connection) as queries:
            check(django_capture_on_commit_callbacks)
        Gateway.objects.update(active=False)
        counts.append(len(queries))

    assert GatewayFinding.objects.filter(status=FindingStatus.OPEN).count() == 12
    assert counts[0] == counts[1]
