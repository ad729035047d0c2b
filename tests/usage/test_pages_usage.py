"""The unit page's usage panel and the /usage/ company view."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.catalog.api_support import token_client
from tests.factories import AIModelFactory
from usage.choices import FindingKind, FindingStatus, SourceKind
from usage.models import UsageAccount, UsageFinding, UsageRecord, UsageSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def this_month(unit, other_unit):
    """Marketing spent $40.00 (billed) on `chat` this month and used `shadow` unapproved."""
    today = timezone.now().date()
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    chat = AIModelFactory(slug="chat", name="Chat One", vendor_model_id="chat-1")
    for u, name, model, billed in [
        (unit, "chat-1", chat, "40.00"),
        (unit, "shadow-9", None, "2.50"),
        (other_unit, "chat-1", chat, "7.00"),
    ]:
        account, _ = UsageAccount.objects.get_or_create(source=source, external_id=u.slug, unit=u)
        UsageRecord.objects.create(
            source=source, account=account, unit=u, day=today, vendor_model_id=name, model=model,
            input_tokens=1_000_000, output_tokens=10, billed_cost=Decimal(billed),
            list_cost=Decimal(billed), ingested_at=datetime.now(UTC),
        )  # fmt: skip
    UsageFinding.objects.create(
        kind=FindingKind.UNAPPROVED_USE, unit=unit, month=today.replace(day=1), subject="shadow-9",
        detail="shadow-9 used on 1 day(s) with no adoption covering them", amount=Decimal("2.50"),
    )  # fmt: skip
    return today


def test_members_see_their_units_actual_spend_by_month_and_findings(client, member, this_month):
    client.force_login(member)
    page = client.get("/business-units/marketing/").content.decode()
    assert "Actual spend vs forecast vs budget" in page
    assert f"{this_month:%b %Y}" in page and "$42.50" in page
    assert "shadow-9 used on 1 day(s)" in page
    assert 'id="usage-data"' in page


def test_an_outsider_sees_the_unit_page_without_its_usage(client, outsider, this_month):
    client.force_login(outsider)
    page = client.get("/business-units/marketing/")
    assert page.status_code == 200
    assert "Actual spend vs forecast vs budget" not in page.content.decode()


def test_the_company_view_ranks_units_and_models_and_lists_unapproved_use(
    client, approver, this_month
):
    client.force_login(approver)
    page = client.get("/usage/").content.decode()
    top_units = page[page.index('aria-label="Top units"') :]
    assert top_units.index("Marketing") < top_units.index("Engineering")  # $42.50, then $7.00
    assert "$49.50" in page  # the company's month
    assert "shadow-9" in page and "not in the catalog" in page
    assert "Chat One" in page


def test_the_company_view_filters_by_unit_and_month_and_ignores_junk(client, approver, this_month):
    client.force_login(approver)
    only = client.get("/usage/", {"unit": "engineering"}, headers={"HX-Request": "true"})
    body = only.content.decode()
    assert "<html" not in body and "$7.00" in body and "shadow-9" not in body
    last_year = client.get("/usage/", {"month": "1999-01", "unit": "<script>"})
    assert last_year.status_code == 200 and "$49.50" in last_year.content.decode()


def test_members_see_only_their_units_in_the_company_view(client, member, this_month):
    client.force_login(member)
    page = client.get("/usage/").content.decode()
    assert "$42.50" in page and "Engineering" not in page


def test_the_company_view_runs_a_fixed_number_of_queries(
    client, approver, this_month, django_assert_max_num_queries
):
    client.force_login(approver)
    with django_assert_max_num_queries(12):
        assert client.get("/usage/").status_code == 200


def test_past_months_show_zero_not_missing(client, member, this_month):
    client.force_login(member)
    page = client.get("/business-units/marketing/").content.decode()
    assert page.count("$0.00") >= 5  # five earlier months without usage


def test_a_resolved_finding_is_shown_resolved_with_when_and_why(
    client, member, approver, this_month
):
    UsageFinding.objects.filter(subject="shadow-9").update(
        status=FindingStatus.RESOLVED,
        resolved_at=datetime(2026, 11, 30, 9, tzinfo=UTC),
        resolution="An adoption now covers every day shadow-9 was used this month.",
    )
    client.force_login(member)
    page = client.get("/business-units/marketing/").content.decode()
    assert "Resolved 30 Nov 2026" in page
    assert "Resolved: An adoption now covers every day shadow-9 was used this month." in page
    client.force_login(approver)
    company = client.get("/usage/").content.decode()
    assert "Resolved 30 Nov 2026" in company and "shadow-9 used on 1 day(s)" in company
    # The count is of open findings: a resolved one is no unapproved model in use.
    assert 'Unapproved models in use</span><span class="stat-value">0<' in company


def test_top_models_show_unknown_requests_as_a_dash_never_zero(client, approver, this_month):
    UsageRecord.objects.filter(vendor_model_id="chat-1").update(requests=250)
    UsageRecord.objects.filter(vendor_model_id="shadow-9").update(requests=None)  # Anthropic's
    client.force_login(approver)
    page = client.get("/usage/").content.decode()
    rows = page[page.index('aria-label="Top models"') :].split("</tr>")
    chat = next(r for r in rows if "Chat One" in r)
    shadow = next(r for r in rows if "shadow-9" in r)
    assert '<td class="num">500</td>' in chat
    assert '<span title="not counted by the source">—</span>' in shadow
    assert '<td class="num">0</td>' not in shadow


@pytest.fixture
def fractions_of_cents(unit, other_unit):
    """This month, Marketing: three models at $0.004 each (billed) and one whose second account
    sent no bill ($2.00 list each, $1.00 billed on one); Engineering: one model at $0.004."""
    today = timezone.now().date()
    source = UsageSource.objects.create(name="Gateway", kind=SourceKind.LITELLM)
    accounts = {
        key: UsageAccount.objects.create(source=source, external_id=key, unit=u)
        for key, u in [("mkt-1", unit), ("mkt-2", unit), ("eng", other_unit)]
    }
    for account, name, billed, listed in [
        ("mkt-1", "tiny-a", "0.004", "0.004"),
        ("mkt-1", "tiny-b", "0.004", "0.004"),
        ("mkt-1", "tiny-c", "0.004", "0.004"),
        ("mkt-1", "mixed", "1.00", "2.00"),
        ("mkt-2", "mixed", None, "2.00"),
        ("eng", "tiny-a", "0.004", "0.004"),
    ]:
        UsageRecord.objects.create(
            source=source, account=accounts[account], unit=accounts[account].unit, day=today,
            vendor_model_id=name, input_tokens=10, output_tokens=1,
            billed_cost=None if billed is None else Decimal(billed), list_cost=Decimal(listed),
            ingested_at=datetime.now(UTC),
        )  # fmt: skip
    return today


def test_a_units_spend_on_the_company_view_and_its_page_is_its_usage_api_total_rounded_once(
    client, approver, fractions_of_cents
):
    """Costs are added unrounded and rounded once; a model with an unbilled day counts at list
    for its month on /usage/ and the unit's page as in its API; the company total adds the
    units' rows."""
    month = f"{fractions_of_cents:%Y-%m}"
    api = (
        token_client(approver)
        .get("/api/v1/business-units/marketing/usage/", {"month": month})
        .json()
    )
    # $0.012 of tiny models (shown $0.00 each) and $4.00 list of `mixed` (a day unbilled).
    assert api["totals"]["actual_cost"] == "4.01"
    assert api["totals"]["billed_cost"] == "0.01" and api["totals"]["list_cost"] == "4.01"
    assert {r["vendor_model_id"]: r["billed_cost"] for r in api["results"]} == {
        "mixed": None, "tiny-a": "0.00", "tiny-b": "0.00", "tiny-c": "0.00",
    }  # fmt: skip
    client.force_login(approver)
    page = client.get("/usage/", {"month": month}).content.decode()
    units = page[page.index('aria-label="Top units"') :].split("</table>")[0].split("</tr>")
    marketing = next(r for r in units if ">Marketing<" in r)
    engineering = next(r for r in units if ">Engineering<" in r)
    assert '<td class="num">$4.01</td>' in marketing
    assert '<td class="num">$0.00</td>' in engineering
    # $4.01 + $0.00, the rows as shown: not $4.016 rounded to $4.02.
    assert '<span class="stat-value">$4.01</span>' in page
    unit_page = client.get("/business-units/marketing/").content.decode()
    assert ">$4.01</td>" in unit_page and "$3.01" not in unit_page  # not billed-else-list per day


@pytest.fixture
def kinds_of_findings(this_month, unit, other_unit):
    """Besides Marketing's open unapproved use: Marketing's acknowledged bill mismatch and
    Engineering's resolved over-forecast finding, all this month."""
    start = this_month.replace(day=1)
    UsageFinding.objects.create(
        kind=FindingKind.BILL_MISMATCH, unit=unit, month=start, subject="gateway",
        detail="Gateway billed $9 against $7 at list", status=FindingStatus.ACKNOWLEDGED,
    )  # fmt: skip
    UsageFinding.objects.create(
        kind=FindingKind.OVER_FORECAST, unit=other_unit, month=start, subject="chat-1",
        detail="Chat One is on course for $70", status=FindingStatus.RESOLVED,
    )  # fmt: skip


def test_the_company_view_counts_findings_by_status_and_kind(client, approver, kinds_of_findings):
    client.force_login(approver)
    page = client.get("/usage/").content.decode()
    by_status = page[page.index('aria-label="Findings by status"') :]
    by_status = by_status[: by_status.index("</nav>")]
    assert ">1 open<" in by_status and ">1 acknowledged<" in by_status
    assert ">1 resolved<" in by_status
    by_kind = page[page.index('aria-label="Findings by kind"') :]
    assert ">1 unapproved use<" in by_kind and ">1 over forecast<" in by_kind
    assert ">0 over budget<" in by_kind
    assert "Chat One is on course" in page  # every kind is listed, not only two


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"status": "acknowledged"}, "Gateway billed", "shadow-9 used"),
        ({"kind": "over_forecast"}, "Chat One is on course", "Gateway billed"),
        ({"unit": "engineering"}, "Chat One is on course", "shadow-9 used"),
        ({"status": "open", "kind": "bill_mismatch"}, "No finding matches", "Gateway billed"),
        ({"status": "<junk>", "kind": "nonsense"}, "Gateway billed", "No finding matches"),
    ],
)
def test_the_company_view_filters_findings_by_status_kind_and_unit(
    client, approver, kinds_of_findings, query, shown, hidden
):
    client.force_login(approver)
    listed = client.get("/usage/", query, headers={"HX-Request": "true"}).content.decode()
    assert shown in listed and hidden not in listed


def test_a_facet_links_to_the_list_it_counts_keeping_the_other_filters(
    client, approver, kinds_of_findings
):
    client.force_login(approver)
    page = client.get("/usage/", {"unit": "marketing"}).content.decode()
    assert 'href="?unit=marketing&amp;status=acknowledged#findings"' in page
