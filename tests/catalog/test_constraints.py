"""The database itself refuses states the domain forbids (IntegrityError, on PostgreSQL in CI)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.choices import AdoptionStatus, RequestStatus, SizeClass
from catalog.models import Adoption, AIModel, ApprovalRequest, PriceObservation
from tests.factories import AIModelFactory, BusinessUnitFactory, UserFactory, VendorFactory

pytestmark = pytest.mark.django_db


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def _adoption(unit, model, status=AdoptionStatus.ACTIVE) -> Adoption:
    now = timezone.now()
    return Adoption.objects.create(
        unit=unit, model=model, use_case="x", status=status, approved_at=now, expires_at=now
    )


def _request(unit, model, status=RequestStatus.PENDING) -> ApprovalRequest:
    return ApprovalRequest.objects.create(
        unit=unit, model=model, requester=UserFactory(), use_case="x", status=status
    )


def test_one_active_adoption_per_unit_and_model():
    unit, model = BusinessUnitFactory(), AIModelFactory()
    _adoption(unit, model)
    _refused(lambda: _adoption(unit, model))


def test_revoked_adoptions_do_not_block_a_new_active_one():
    unit, model = BusinessUnitFactory(), AIModelFactory()
    _adoption(unit, model, AdoptionStatus.REVOKED)
    _adoption(unit, model, AdoptionStatus.EXPIRED)
    assert _adoption(unit, model).pk


def test_one_pending_request_per_unit_and_model():
    unit, model = BusinessUnitFactory(), AIModelFactory()
    _request(unit, model)
    _refused(lambda: _request(unit, model))


def test_a_rejected_request_does_not_block_asking_again():
    unit, model = BusinessUnitFactory(), AIModelFactory()
    _request(unit, model, RequestStatus.REJECTED)
    assert _request(unit, model).pk


@pytest.mark.parametrize("field", ["input_price_per_mtok", "output_price_per_mtok"])
def test_model_prices_cannot_be_negative(field):
    _refused(lambda: AIModelFactory(**{field: Decimal("-0.000001")}))


@pytest.mark.parametrize("field", ["input_price_per_mtok", "output_price_per_mtok"])
def test_observed_prices_cannot_be_negative(field):
    model = AIModelFactory()
    _refused(
        lambda: PriceObservation.objects.create(
            model=model, observed_at=timezone.now(), source="manual", **{field: Decimal("-1")}
        )
    )


def test_context_window_must_be_positive():
    _refused(lambda: AIModelFactory(context_window=0))


def test_model_slugs_are_unique():
    AIModelFactory(slug="same")
    _refused(lambda: AIModelFactory(slug="same"))


def test_vendor_slugs_are_unique():
    VendorFactory(slug="acme")
    _refused(lambda: VendorFactory._meta.model.objects.create(slug="acme", name="Other"))


def test_vendor_model_id_is_unique_per_vendor_only():
    vendor = VendorFactory()
    AIModelFactory(vendor=vendor, vendor_model_id="m-1")
    _refused(lambda: AIModelFactory(vendor=vendor, vendor_model_id="m-1"))
    assert AIModelFactory(vendor=VendorFactory(), vendor_model_id="m-1").pk


def test_parameters_hold_trillions():
    model = AIModelFactory(parameters=1_760_000_000_000, parameters_estimated=True)
    model.refresh_from_db()
    assert model.parameters == 1_760_000_000_000
    assert model.size_class == SizeClass.FRONTIER


@pytest.mark.parametrize(
    ("parameters", "size_class"),
    [
        (7_000_000_000, SizeClass.SMALL),
        (15_000_000_000, SizeClass.MEDIUM),
        (99_999_999_999, SizeClass.MEDIUM),
        (100_000_000_000, SizeClass.LARGE),
        (500_000_000_000, SizeClass.FRONTIER),
    ],
)
def test_size_class_follows_known_parameters(parameters, size_class):
    assert (
        AIModelFactory(parameters=parameters, size_class=SizeClass.SMALL).size_class == size_class
    )


def test_size_class_set_by_hand_stands_when_parameters_are_undisclosed():
    model = AIModelFactory(parameters=None, size_class=SizeClass.LARGE)
    model.refresh_from_db()
    assert model.size_class == SizeClass.LARGE


def test_model_changes_are_audited():
    model = AIModelFactory(status="under_review")
    model.status = "approved"
    model.save()
    assert [h.status for h in AIModel.history.filter(id=model.pk)] == ["approved", "under_review"]
