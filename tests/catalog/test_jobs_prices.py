# ruff: noqa: F811 - fixtures imported from jobs_helpers are requested by name
"""Price sync against the fake vendor: changes applied once in bulk, junk flagged and never
applied, failures recorded per source, managers told what a change costs them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership
from catalog.choices import ModelStatus, PriceFlagStatus, PriceSource
from catalog.models import Adoption, AIModel, PriceFlag, PriceObservation, Vendor
from catalog.services.prices import price_flag_accept, price_flags_dismiss, prices_sync
from core.choices import JobKind
from core.errors import Conflict
from core.models import JobRun
from fakevendor import data
from tests.catalog.jobs_helpers import (  # noqa: F401 - fixtures
    catalog_on_fake,
    fake_vendor,
    free_port,
    repriced,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def priced_keys(cost_map, n):
    return [k for k in sorted(cost_map) if k not in data.junk_keys(cost_map)][:n]


def price_of(key):
    model = AIModel.objects.get(price_source_key=key)
    return model.input_price_per_mtok, model.output_price_per_mtok


def test_sync_applies_each_changed_price_once_with_one_ledger_entry(catalog_on_fake):
    keys = priced_keys(catalog_on_fake.cost_map, 6)
    before = {k: price_of(k) for k in keys}
    observations = PriceObservation.objects.count()
    catalog_on_fake.set_cost_map(repriced(catalog_on_fake.cost_map, keys, 1.1))

    result = prices_sync()

    assert (result.checked, result.changed, result.flagged) == (40, 6, 0)
    for key in keys:
        old_in, old_out = before[key]
        six = Decimal("0.000001")
        assert price_of(key) == ((old_in * Decimal("1.1")).quantize(six),
                                 (old_out * Decimal("1.1")).quantize(six))  # fmt: skip
    assert PriceObservation.objects.count() == observations + 6
    latest = PriceObservation.objects.filter(model__price_source_key=keys[0]).first()
    assert (latest.input_price_per_mtok, latest.source) == (price_of(keys[0])[0], "litellm")

    again = prices_sync()
    assert (again.changed, again.flagged) == (0, 0)
    assert PriceObservation.objects.count() == observations + 6


def test_sync_query_count_does_not_grow_with_the_catalog(
    catalog_on_fake, django_assert_max_num_queries
):
    catalog_on_fake.set_cost_map(
        repriced(catalog_on_fake.cost_map, priced_keys(catalog_on_fake.cost_map, 3), 2)
    )
    # Fixed cost (closing interrupted runs included) + per write batch; the 40 models add
    # nothing per model.
    with django_assert_max_num_queries(17):
        result = prices_sync()
    assert result.changed == 3
    with django_assert_max_num_queries(7):
        assert prices_sync().changed == 0


def test_each_write_batch_costs_the_same_few_queries(catalog_on_fake):
    """Lock-read, price update, ledger insert and the savepoint pair: who adopted the models is
    asked once per source, not once per batch."""
    keys = priced_keys(catalog_on_fake.cost_map, 6)

    def queries_for_batches_of(size, factor):
        catalog_on_fake.set_cost_map(repriced(catalog_on_fake.cost_map, keys, factor))
        with CaptureQueriesContext(connection) as captured:
            assert prices_sync(batch_size=size).changed == 6
        return len(captured)

    one_batch, six_batches = queries_for_batches_of(6, 2), queries_for_batches_of(1, 3)
    assert (six_batches - one_batch) / 5 == 5


def test_junk_prices_are_flagged_on_the_run_and_never_applied(catalog_on_fake):
    spoiled = data.junk_keys(catalog_on_fake.cost_map)
    before = {k: price_of(k) for k in spoiled}
    vendor_urls = Vendor.objects.values_list("price_source_url", flat=True)
    Vendor.objects.update(
        price_source_url=vendor_urls[0].replace("/litellm/", "/_fault/junk/litellm/")
    )

    result = prices_sync()

    assert result.flagged == 5 and result.changed == 0
    assert {k: price_of(k) for k in spoiled} == before
    flags = {f.model.price_source_key: f for f in PriceFlag.objects.select_related("model")}
    assert set(flags) == set(spoiled)
    assert flags[spoiled[0]].raw_input == "twelve dollars"
    assert flags[spoiled[1]].raw_input == "nan"
    assert "jump over 10×" in flags[spoiled[3]].reason
    assert flags[spoiled[4]].reason == "missing price fields"
    assert JobRun.objects.get(kind=JobKind.SYNC_PRICES).flagged == 5

    assert prices_sync().flagged == 0  # the same junk again: not flagged, not counted twice
    assert PriceFlag.objects.count() == 5


def test_a_catalog_admin_accepts_a_flagged_jump_once(catalog_on_fake, catalog_admin):
    key = data.junk_keys(catalog_on_fake.cost_map)[3]
    Vendor.objects.update(
        price_source_url=f"{catalog_on_fake.url}/_fault/junk/litellm/model_prices.json"
    )
    prices_sync()
    jump = PriceFlag.objects.get(model__price_source_key=key)
    nan = PriceFlag.objects.exclude(pk=jump.pk).get(raw_input="nan")

    price_flag_accept(flag=jump, by=catalog_admin)

    assert price_of(key)[0] == jump.input_price_per_mtok
    assert PriceObservation.objects.filter(model=jump.model).count() == 2  # import + accepted
    with pytest.raises(Conflict):
        price_flag_accept(flag=jump, by=catalog_admin)
    with pytest.raises(Conflict):
        price_flag_accept(flag=nan, by=catalog_admin)
    jump.refresh_from_db()
    assert jump.status == PriceFlagStatus.ACCEPTED and jump.decided_by == catalog_admin


def test_a_dismissed_flag_stays_dismissed_and_its_value_is_not_flagged_again(
    catalog_on_fake, catalog_admin
):
    Vendor.objects.update(
        price_source_url=f"{catalog_on_fake.url}/_fault/junk/litellm/model_prices.json"
    )
    prices_sync()
    words = PriceFlag.objects.filter(raw_input="twelve dollars")
    before = price_of(words.get().model.price_source_key)

    assert price_flags_dismiss(flags=words, by=catalog_admin) == 1
    assert price_flags_dismiss(flags=words, by=catalog_admin) == 0  # already decided
    again = prices_sync()

    assert again.flagged == 0  # the run counts only flags it wrote…
    assert PriceFlag.objects.count() == 5  # …and nobody is asked about that value twice
    flag = words.get()
    assert (flag.status, flag.decided_by) == (PriceFlagStatus.DISMISSED, catalog_admin)
    assert price_of(flag.model.price_source_key) == before
    with pytest.raises(Conflict):
        price_flag_accept(flag=flag, by=catalog_admin)


@pytest.mark.parametrize("fault", ["401", "404", "429", "500", "timeout", "malformed"])
def test_a_failing_source_is_recorded_and_changes_nothing(catalog_on_fake, settings, fault):
    settings.VENDOR_TIMEOUT_SECONDS = 0.5
    prices = dict(AIModel.objects.values_list("pk", "input_price_per_mtok"))
    catalog_on_fake.set_cost_map(
        repriced(catalog_on_fake.cost_map, priced_keys(catalog_on_fake.cost_map, 4), 3)
    )
    Vendor.objects.update(
        price_source_url=f"{catalog_on_fake.url}/_fault/{fault}/litellm/model_prices.json"
    )

    result = prices_sync()

    run = JobRun.objects.get(kind=JobKind.SYNC_PRICES)
    assert run.finished_at and run.changed == 0 and len(run.errors) == 1
    assert run.errors[0]["permanent"] is (fault in ("401", "404", "malformed"))
    assert dict(AIModel.objects.values_list("pk", "input_price_per_mtok")) == prices
    assert bool(result.retry_vendors) is (fault in ("429", "500", "timeout"))
    if fault == "429":
        assert result.retry_after == 3


def test_one_source_failing_never_stops_the_others(catalog_on_fake):
    catalog_on_fake.set_cost_map(
        repriced(catalog_on_fake.cost_map, list(catalog_on_fake.cost_map), 1.25)
    )
    Vendor.objects.filter(slug="openai").update(
        price_source_url=f"http://127.0.0.1:{free_port()}/refused.json"
    )

    result = prices_sync()

    runs = {
        r.vendor.slug: r
        for r in JobRun.objects.filter(kind=JobKind.SYNC_PRICES).select_related("vendor")
    }
    assert "cannot connect" in runs["openai"].errors[0]["error"]
    assert runs["anthropic"].changed == 20 and not runs["anthropic"].errors
    assert result.retry_vendors == ["openai"]


def test_sync_of_one_vendor_leaves_the_others_alone(catalog_on_fake):
    catalog_on_fake.set_cost_map(
        repriced(catalog_on_fake.cost_map, list(catalog_on_fake.cost_map), 1.1)
    )
    result = prices_sync(vendor_slugs=["anthropic"])
    assert result.changed == 20
    assert JobRun.objects.get(kind=JobKind.SYNC_PRICES).vendor.slug == "anthropic"


def adopt_for_100m_input_tokens(unit, model) -> Adoption:
    # Imported models start under review; only an approved one is on a unit's allow-list.
    AIModel.objects.filter(pk=model.pk).update(status=ModelStatus.APPROVED)
    now = timezone.now()
    return Adoption.objects.create(
        unit=unit, model=model, use_case="Drafts", approved_at=now,
        expires_at=now + timedelta(days=30),
        expected_monthly_input_tokens=100_000_000, expected_monthly_output_tokens=0,
    )  # fmt: skip


def test_price_change_and_new_deprecation_tell_the_unit_managers_the_cost(
    catalog_on_fake, manager, unit, django_capture_on_commit_callbacks
):
    key = priced_keys(catalog_on_fake.cost_map, 1)[0]
    model = AIModel.objects.get(price_source_key=key)
    adopt_for_100m_input_tokens(unit, model)
    bystander = UserFactory(username="member-only")
    Membership.objects.create(user=bystander, unit=unit, role=Membership.Role.MEMBER)
    changed = repriced(catalog_on_fake.cost_map, [key], 2)
    changed[key]["deprecation_date"] = "2031-01-31"
    catalog_on_fake.set_cost_map(changed)
    old_cost = model.input_price_per_mtok * 100

    with django_capture_on_commit_callbacks(execute=True):
        prices_sync()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.email]
    assert model.name in message.body and "deprecated on 2031-01-31" in message.body
    assert f"${old_cost:,.2f} → ${old_cost * 2:,.2f}" in message.body
    assert AIModel.objects.get(pk=model.pk).deprecation_date.isoformat() == "2031-01-31"


def test_a_price_rise_that_pushes_a_unit_over_budget_tells_its_managers(
    catalog_on_fake, manager, unit, django_capture_on_commit_callbacks
):
    key = priced_keys(catalog_on_fake.cost_map, 1)[0]
    model = AIModel.objects.get(price_source_key=key)
    adopt_for_100m_input_tokens(unit, model)
    old_cost = model.input_price_per_mtok * 100
    unit.monthly_budget = (old_cost * 3 / 2).quantize(old_cost)
    unit.save()
    catalog_on_fake.set_cost_map(repriced(catalog_on_fake.cost_map, [key], 2))

    with django_capture_on_commit_callbacks(execute=True):
        prices_sync()

    budget_mails = [m for m in mail.outbox if "over its monthly AI budget" in m.subject]
    assert [m.to for m in budget_mails] == [[manager.email]]
    assert "Vendor prices of models you use changed." in budget_mails[0].body


def test_manual_vendors_are_not_synced(catalog_on_fake):
    Vendor.objects.update(price_source=PriceSource.MANUAL)
    assert prices_sync().runs == []


def test_the_admin_shows_flags_and_accepts_one(catalog_on_fake, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    Vendor.objects.update(
        price_source_url=f"{catalog_on_fake.url}/_fault/junk/litellm/model_prices.json"
    )
    prices_sync()
    jump = PriceFlag.objects.get(reason__startswith="jump")
    client.force_login(admin)
    listing = client.get("/admin/catalog/priceflag/")
    assert listing.status_code == 200 and "twelve dollars" in listing.content.decode()

    response = client.post(
        "/admin/catalog/priceflag/",
        {"action": "accept_prices", "_selected_action": [jump.pk]},
        follow=True,
    )

    assert "Applied 1 flagged price(s)." in response.content.decode()
    assert price_of(jump.model.price_source_key)[0] == jump.input_price_per_mtok

    response = client.post(
        "/admin/catalog/priceflag/",
        {
            "action": "dismiss_prices",
            "_selected_action": list(PriceFlag.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert "Dismissed 4 flagged price(s)." in response.content.decode()
    assert set(PriceFlag.objects.values_list("status", flat=True)) == {
        PriceFlagStatus.ACCEPTED,
        PriceFlagStatus.DISMISSED,
    }
