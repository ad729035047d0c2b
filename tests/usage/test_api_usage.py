"""The usage API: configuration by catalog admins, reports visible as requests are, CSV."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Adoption, AIModel
from tests.catalog.api_support import token_client
from tests.factories import AIModelFactory
from usage.choices import FindingKind, FindingStatus, SourceKind
from usage.models import UsageAccount, UsageFinding, UsageRecord, UsageSource

pytestmark = pytest.mark.django_db
USAGE = "/api/v1/business-units/{}/usage/"


@pytest.fixture
def october(unit, other_unit):
    """Marketing used `chat` (adopted, forecast $12.00) and an unknown model in October."""
    chat = AIModelFactory(slug="chat", vendor_model_id="chat-1")
    Adoption.objects.create(
        unit=unit, model=chat, use_case="Drafts",
        approved_at=datetime(2026, 9, 1, tzinfo=UTC), expires_at=datetime(2027, 9, 1, tzinfo=UTC),
        expected_monthly_input_tokens=10_000_000, expected_monthly_output_tokens=1_000_000,
    )  # fmt: skip
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    accounts = {
        u: UsageAccount.objects.create(source=source, external_id=u.slug, unit=u)
        for u in (unit, other_unit)
    }
    for u, day, name, model, billed, listed in [
        (unit, 3, "chat-1", chat, "4.00", "5.00"),
        (unit, 4, "chat-1", chat, "4.50", "5.25"),
        (unit, 4, "=cmd()", None, "1.00", None),
        (other_unit, 4, "chat-1", chat, "7.00", "7.00"),
        (unit, 2, "chat-1", chat, "100.00", "100.00"),  # November: another month
    ]:
        UsageRecord.objects.create(
            source=source, account=accounts[u], unit=u,
            day=date(2026, 11 if billed == "100.00" else 10, day), vendor_model_id=name,
            model=model, input_tokens=1_000, output_tokens=100, requests=2,
            billed_cost=Decimal(billed), list_cost=None if listed is None else Decimal(listed),
            ingested_at=datetime(2026, 11, 1, tzinfo=UTC),
        )  # fmt: skip
    UsageFinding.objects.create(
        kind=FindingKind.UNAPPROVED_USE, unit=unit, month=date(2026, 10, 1), subject="=cmd()",
        detail="=cmd() used on 1 day(s)", amount=Decimal("1.00"),
    )  # fmt: skip
    UsageFinding.objects.create(
        kind=FindingKind.OVER_BUDGET, unit=other_unit, month=date(2026, 10, 1), detail="over",
        amount=Decimal("7.00"),
    )  # fmt: skip
    return source


def test_a_unit_member_reads_its_month_by_model_with_forecast_and_variance(october, member):
    response = token_client(member).get("/api/v1/business-units/marketing/usage/?month=2026-10")
    assert response.status_code == 200
    body = response.json()
    assert body["month"] == "2026-10"
    rows = {r["vendor_model_id"]: r for r in body["results"]}
    chat = rows["chat-1"]
    assert chat["model"]["slug"] == "chat"
    assert (chat["billed_cost"], chat["list_cost"], chat["forecast_cost"]) == (
        "8.50", "10.25", "12.00",
    )  # fmt: skip
    assert chat["variance"] == "-3.50" and chat["input_tokens"] == 2_000
    assert rows["=cmd()"]["model"] is None and rows["=cmd()"]["list_cost"] is None
    assert body["totals"] == {
        "billed_cost": "9.50", "list_cost": "10.25", "actual_cost": "9.50",
        "forecast_cost": "12.00", "unbilled": 0, "unpriced": 1,
    }  # fmt: skip


def test_outsiders_get_404_and_approvers_see_every_unit(
    october, outsider, approver, member, catalog_admin
):
    assert token_client(outsider).get("/api/v1/business-units/marketing/usage/").status_code == 404
    assert token_client(member).get("/api/v1/business-units/nope/usage/").status_code == 404
    admin = token_client(catalog_admin)
    assert admin.get("/api/v1/business-units/engineering/usage/").status_code == 200
    assert token_client(member).get("/api/v1/business-units/engineering/usage/").status_code == 404
    assert (
        token_client(approver).get("/api/v1/business-units/engineering/usage/").status_code == 200
    )


@pytest.mark.parametrize(
    "month", ["2026-13", "26-10", "2026-10-01", "x" * 300, "2026-1\x00", "0000-01"]
)
@pytest.mark.parametrize(
    "path",
    ["/api/v1/chargeback/", "/api/v1/usage-findings/", "/api/v1/business-units/marketing/usage/"],
)
def test_a_malformed_month_is_a_400_naming_it(october, approver, month, path):
    """Year 0000 matched the old pattern and was a 500 (no such date): found by make fuzz."""
    response = token_client(approver).get(path, {"month": month})
    assert response.status_code == 400 and "month" in response.json()


@pytest.mark.parametrize(("month", "read"), [(" 2026-10 ", "2026-10"), ("2026-10\n", "2026-10")])
def test_a_month_with_spaces_around_it_is_read_as_before(october, approver, month, read):
    """The serializer trims a month it is given; the direct reading of a well-formed month must
    not turn that into a 400."""
    response = token_client(approver).get(USAGE.format("marketing"), {"month": month})
    assert response.status_code == 200 and response.json()["month"] == read


@pytest.mark.parametrize("active", [0, 1, "yes", "true", None])
def test_a_source_is_active_only_by_a_json_boolean(catalog_admin, active):
    response = token_client(catalog_admin).post(
        "/api/v1/usage-sources/",
        {"name": "P", "kind": "litellm", "base_url": "https://p.example", "active": active},
        content_type="application/json",
    )
    assert response.status_code == 400 and "active" in response.json()


def test_findings_are_listed_for_visible_units_and_filtered(october, member, approver):
    mine = token_client(member).get("/api/v1/usage-findings/").json()
    assert [f["business_unit"] for f in mine["results"]] == ["marketing"]
    assert mine["results"][0]["month"] == "2026-10" and mine["results"][0]["amount"] == "1.00"
    everyone = token_client(approver).get("/api/v1/usage-findings/?kind=over_budget").json()
    assert [f["business_unit"] for f in everyone["results"]] == ["engineering"]
    assert token_client(approver).get("/api/v1/usage-findings/?kind=bogus").status_code == 400
    assert token_client(approver).get("/api/v1/usage-findings/?month=2026-11").json()["count"] == 0


def test_chargeback_by_cost_center_unit_and_model_as_csv(october, approver):
    engineering = october.accounts.get(external_id="engineering").unit
    engineering.cost_center = "ENG-200"
    engineering.save()
    response = token_client(approver).get("/api/v1/chargeback/?month=2026-10&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["cost_center"], r["business_unit"], r["vendor_model_id"]) for r in rows] == [
        ("CC-1", "marketing", "'=cmd()"),  # a formula is neutralised for spreadsheets
        ("CC-1", "marketing", "chat-1"),
        ("ENG-200", "engineering", "chat-1"),
    ]
    assert rows[1]["billed_cost"] == "8.50" and rows[1]["list_cost"] == "10.25"
    assert rows[0]["list_cost"] == ""  # unpriced, never 0


def test_a_members_chargeback_holds_only_their_units(october, member):
    rows = token_client(member).get("/api/v1/chargeback/?month=2026-10").json()["results"]
    assert {r["business_unit"] for r in rows} == {"marketing"}


def test_unit_usage_as_csv(october, member):
    response = token_client(member).get(
        "/api/v1/business-units/marketing/usage/?month=2026-10&format=csv"
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["vendor_model_id"]: r["model"] for r in rows} == {"chat-1": "chat", "'=cmd()": ""}


def test_catalog_admins_configure_sources_and_accounts(catalog_admin, unit):
    client = token_client(catalog_admin)
    created = client.post(
        "/api/v1/usage-sources/",
        {
            "name": "Proxy",
            "kind": "litellm",
            "base_url": "https://proxy.example",
            "key_env": "PROXY_KEY",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    source_id = created.json()["id"]
    account = client.post(
        "/api/v1/usage-accounts/",
        {"source": source_id, "external_id": "team-mkt", "business_unit": "marketing"},
        content_type="application/json",
    )
    assert account.status_code == 201 and account.json()["business_unit"] == "marketing"
    assert client.delete(f"/api/v1/usage-accounts/{account.json()['id']}/").status_code == 204
    bad = client.post(
        "/api/v1/usage-sources/",
        {
            "name": "Leaky",
            "kind": "openai",
            "base_url": "https://x.example/v1",
            "key_env": "sk-123",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "key_env" in bad.json()


def test_ingest_is_queued_after_commit_with_202(catalog_admin, django_capture_on_commit_callbacks):
    source = UsageSource.objects.create(
        name="Proxy", kind=SourceKind.LITELLM, base_url="http://127.0.0.1:9"
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = token_client(catalog_admin).post(
            f"/api/v1/usage-sources/{source.pk}/ingest/",
            # Relative to today: `since` may reach back at most 400 days.
            {"since": (timezone.now().date() - timedelta(days=30)).isoformat()},
            content_type="application/json",
        )
    assert response.status_code == 202 and len(callbacks) == 1


def test_only_catalog_admins_configure_usage(member, approver):
    for user in (member, approver):
        assert token_client(user).get("/api/v1/usage-sources/").status_code == 403
        assert token_client(user).post("/api/v1/usage-accounts/", {}).status_code == 403


def test_unit_usage_queries_do_not_grow_with_models(
    october, approver, django_assert_max_num_queries, django_assert_num_queries
):
    unit = october.accounts.get(external_id="marketing").unit
    account = october.accounts.get(external_id="marketing")
    for _ in range(30):
        model = AIModelFactory()
        UsageRecord.objects.create(
            source=october, account=account, unit=unit, day=date(2026, 10, 9),
            vendor_model_id=model.vendor_model_id, model=model,
            ingested_at=datetime(2026, 11, 1, tzinfo=UTC),
        )  # fmt: skip
    client = token_client(approver)
    with django_assert_num_queries(2):
        assert (
            client.get("/api/v1/business-units/marketing/usage/?month=2026-10").status_code == 200
        )
    with django_assert_num_queries(3):  # token, the caller's groups, the chargeback itself
        assert client.get("/api/v1/chargeback/?month=2026-10").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get("/api/v1/usage-findings/").status_code == 200


def test_errors_stay_json_when_csv_was_asked_for(october, outsider, approver):
    missing = token_client(outsider).get(USAGE.format("marketing") + "?format=csv")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert "detail" in missing.json()
    bad = token_client(approver).get("/api/v1/chargeback/?format=csv&month=2026-13")
    assert bad.status_code == 400 and bad.json() == {"month": ["Use YYYY-MM."]}


@pytest.mark.parametrize("extra_models", [0, 30])
def test_unit_usage_is_two_queries_whatever_the_models_and_adoptions(
    october, approver, django_assert_num_queries, extra_models
):
    """The token, and one statement for the month (the unit with the caller's right to see it,
    its sums with model references UNION ALL the adoptions' forecast prices): the same two for
    2 models or 32, adopted or not (it was six, then three)."""
    unit = october.accounts.get(external_id="marketing").unit
    account = october.accounts.get(external_id="marketing")
    for n in range(extra_models):
        model = AIModelFactory()
        UsageRecord.objects.create(
            source=october, account=account, unit=unit, day=date(2026, 10, 9),
            vendor_model_id=model.vendor_model_id, model=model,
            ingested_at=datetime(2026, 11, 1, tzinfo=UTC),
        )  # fmt: skip
        if n % 2:
            Adoption.objects.create(
                unit=unit, model=model if n % 4 == 1 else AIModelFactory(), use_case="x",
                approved_at=datetime(2026, 9, 1, tzinfo=UTC),
                expires_at=datetime(2027, 9, 1, tzinfo=UTC),
                expected_monthly_input_tokens=1_000_000,
            )  # fmt: skip
    client = token_client(approver)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/business-units/marketing/usage/?month=2026-10")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2 + extra_models + extra_models // 4


def test_the_unit_month_written_by_hand_is_what_its_serializer_documents(october, unit):
    """The view writes the answer without a serializer (speed); the documented serializer must
    give the very same JSON: unmatched and unpriced rows, unknown requests, adopted but unused."""
    from rest_framework.renderers import JSONRenderer

    from core.api.fastjson import ORJSONRenderer
    from usage.api.serializers import UnitUsageSerializer
    from usage.services.reports import totals, unit_month, unit_month_payload

    UsageRecord.objects.filter(vendor_model_id="=cmd()").update(requests=None)
    idle = AIModelFactory(slug="idle", vendor_model_id="idle-1")
    Adoption.objects.create(
        unit=unit, model=idle, use_case="Later", approved_at=datetime(2026, 9, 1, tzinfo=UTC),
        expires_at=datetime(2027, 9, 1, tzinfo=UTC), expected_monthly_input_tokens=2_000_000,
    )  # fmt: skip
    month = date(2026, 10, 1)
    rows = unit_month(unit.pk, month)
    for row in rows:  # the serializer reads model instances, the report plain references
        if row.model is not None:
            row.model = AIModel.objects.select_related("vendor").get(slug=row.model["slug"])
    documented = UnitUsageSerializer({"month": "2026-10", "results": rows, "totals": totals(rows)})
    payload = unit_month_payload(unit_month(unit.pk, month), month)
    assert ORJSONRenderer().render(payload) == JSONRenderer().render(documented.data)
    assert [r["vendor_model_id"] for r in payload["results"]] == ["=cmd()", "chat-1", "idle-1"]
    assert payload["results"][0]["requests"] is None and payload["results"][1]["requests"] == 4


def test_unknown_requests_are_null_in_json_and_empty_in_csv_never_zero(october, member):
    """Anthropic's usage report counts no requests: a model's month with any such day has an
    unknown request count, not a smaller one."""
    UsageRecord.objects.filter(vendor_model_id="chat-1", day=date(2026, 10, 4)).update(
        requests=None
    )
    client = token_client(member)
    body = client.get("/api/v1/business-units/marketing/usage/?month=2026-10").json()
    rows = {r["vendor_model_id"]: r["requests"] for r in body["results"]}
    assert rows == {"chat-1": None, "=cmd()": 2}
    response = client.get("/api/v1/business-units/marketing/usage/?month=2026-10&format=csv")
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["vendor_model_id"]: r["requests"] for r in lines} == {"chat-1": "", "'=cmd()": "2"}


def test_findings_say_whether_they_still_hold_and_filter_by_status(october, member):
    UsageFinding.objects.filter(subject="=cmd()").update(
        status=FindingStatus.RESOLVED,
        resolved_at=datetime(2026, 11, 30, 9, tzinfo=UTC),
        resolution="Late data no longer shows =cmd() used this month.",
    )
    client = token_client(member)
    (finding,) = client.get("/api/v1/usage-findings/").json()["results"]
    assert (finding["status"], finding["resolved_at"], finding["resolution"]) == (
        "resolved", "2026-11-30T09:00:00Z",
        "Late data no longer shows =cmd() used this month.",
    )  # fmt: skip
    assert client.get("/api/v1/usage-findings/?status=open").json()["count"] == 0
    assert client.get("/api/v1/usage-findings/?status=resolved").json()["count"] == 1
    assert client.get("/api/v1/usage-findings/?status=gone").status_code == 400
    lines = client.get("/api/v1/usage-findings/?format=csv").content.decode().splitlines()
    assert lines[0].endswith(",status,resolved_at,resolution") and ",resolved," in lines[1]
