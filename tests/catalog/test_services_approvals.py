"""The approval workflow's rules, exercised through the service functions pages and API call."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership
from catalog.choices import AdoptionStatus, DataClassification, ModelStatus, RequestStatus
from catalog.models import Adoption, ApprovalRequest
from catalog.services.approvals import (
    adoption_renew,
    adoption_revoke,
    adoptions_expire,
    approval_request_approve,
    approval_request_create,
    approval_request_reject,
    approval_request_withdraw,
)
from core.errors import Conflict, InvalidRequest
from tests.factories import AIModelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(db):
    return AIModelFactory(name="Claude Haiku", slug="claude-haiku")


def ask(requester, model, unit, **overrides) -> ApprovalRequest:
    fields = {
        "use_case": "Summarise campaign briefs",
        "data_classification": DataClassification.INTERNAL,
        "expected_monthly_input_tokens": 2_000_000,
        "expected_monthly_output_tokens": 500_000,
    } | overrides
    return approval_request_create(requester=requester, model=model, unit=unit, **fields)


def approved(member, approver, model, unit) -> Adoption:
    request = approval_request_approve(request=ask(member, model, unit), approver=approver)
    return request.adoption


# Filing a request


def test_member_files_a_pending_request_with_themselves_in_its_history(member, unit, model):
    request = ask(member, model, unit)
    assert request.status == RequestStatus.PENDING
    assert request.history.get().history_user == member


def test_outsider_cannot_request_a_model_for_a_unit(outsider, unit, model):
    with pytest.raises(PermissionDenied):
        ask(outsider, model, unit)
    assert not ApprovalRequest.objects.exists()


def test_member_of_another_unit_cannot_request_for_this_one(member, other_unit, model):
    with pytest.raises(PermissionDenied):
        ask(member, model, other_unit)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ModelStatus.DEPRECATED, "deprecated"),
        (ModelStatus.RETIRED, "retired"),
        (ModelStatus.UNDER_REVIEW, "under review"),
    ],
)
def test_closed_models_are_refused_with_the_reason(member, unit, status, reason):
    closed = AIModelFactory(status=status)
    with pytest.raises(InvalidRequest, match=reason) as refused:
        ask(member, closed, unit)
    assert refused.value.field == "model"


def test_refusing_a_deprecated_model_names_its_successor(member, unit):
    successor = AIModelFactory(name="Claude Haiku 4", slug="claude-haiku-4")
    old = AIModelFactory(status=ModelStatus.DEPRECATED, successor=successor)
    with pytest.raises(InvalidRequest, match=r"successor Claude Haiku 4 \(claude-haiku-4\)"):
        ask(member, old, unit)


def test_restricted_model_is_refused_to_units_it_is_not_allowed_for(
    member, unit, other_unit, model
):
    model.status = ModelStatus.RESTRICTED
    model.save()
    model.allowed_units.set([other_unit])
    with pytest.raises(InvalidRequest, match="restricted to other units"):
        ask(member, model, unit)
    model.allowed_units.add(unit)
    assert ask(member, model, unit).status == RequestStatus.PENDING


def test_data_more_sensitive_than_the_model_is_cleared_for_is_refused(member, unit, model):
    with pytest.raises(InvalidRequest, match="cleared for data up to internal") as refused:
        ask(member, model, unit, data_classification=DataClassification.CONFIDENTIAL)
    assert refused.value.field == "data_classification"
    assert ask(member, model, unit, data_classification=DataClassification.PUBLIC).pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"use_case": "   "}, "use_case"),
        ({"use_case": "x" * 201}, "use_case"),
        ({"expected_monthly_input_tokens": -1}, "expected_monthly_input_tokens"),
        ({"expected_monthly_output_tokens": 2**63}, "expected_monthly_output_tokens"),
        ({"data_classification": "secret"}, "data_classification"),
    ],
)
def test_bad_input_is_refused_naming_the_field(member, unit, model, overrides, field):
    with pytest.raises(InvalidRequest) as refused:
        ask(member, model, unit, **overrides)
    assert refused.value.field == field


def test_second_pending_request_for_the_same_unit_and_model_conflicts(member, manager, unit, model):
    ask(member, model, unit)
    with pytest.raises(Conflict, match="already has a pending request"):
        ask(manager, model, unit)


def test_request_for_a_model_the_unit_already_uses_conflicts(member, approver, unit, model):
    approved(member, approver, model, unit)
    with pytest.raises(Conflict, match="already uses"):
        ask(member, model, unit)


def test_a_rejected_request_may_be_asked_again(member, approver, unit, model):
    approval_request_reject(request=ask(member, model, unit), approver=approver, comment="No")
    assert ask(member, model, unit).status == RequestStatus.PENDING


# Deciding


def test_approval_creates_the_active_adoption_valid_for_the_configured_days(
    member, approver, unit, model, settings
):
    settings.APPROVAL_VALIDITY_DAYS = 30
    request = approval_request_approve(
        request=ask(member, model, unit), approver=approver, comment="Fine"
    )
    assert (request.status, request.decided_by, request.decision_comment) == (
        RequestStatus.APPROVED,
        approver,
        "Fine",
    )
    adoption = Adoption.objects.get(unit=unit, model=model)
    assert adoption.status == AdoptionStatus.ACTIVE
    assert adoption.approval == request
    assert adoption.expires_at - adoption.approved_at == timedelta(days=30)
    assert adoption.expected_monthly_input_tokens == 2_000_000
    assert adoption.history.get().history_user == approver
    assert request.history.latest().history_user == approver


def test_requester_cannot_approve_own_request(member, unit, model, approver):
    Membership.objects.create(user=approver, unit=unit)
    request = ask(approver, model, unit)
    with pytest.raises(PermissionDenied, match="own request"):
        approval_request_approve(request=request, approver=approver)
    with pytest.raises(PermissionDenied):
        approval_request_reject(request=request, approver=approver, comment="no")
    assert not Adoption.objects.exists()


def test_a_manager_who_sees_the_request_but_is_no_approver_gets_403(member, manager, unit, model):
    with pytest.raises(PermissionDenied):
        approval_request_approve(request=ask(member, model, unit), approver=manager)


def test_an_outsider_deciding_an_invisible_request_gets_404(member, outsider, unit, model):
    with pytest.raises(Http404):
        approval_request_reject(request=ask(member, model, unit), approver=outsider, comment="x")


def test_a_decided_request_cannot_be_decided_again(member, approver, unit, model):
    request = ask(member, model, unit)
    approval_request_approve(request=request, approver=approver)
    second = UserFactory(username="eve")
    second.groups.set(approver.groups.all())
    with pytest.raises(Conflict, match="already approved by bob"):
        approval_request_approve(request=request, approver=second)
    with pytest.raises(Conflict):
        approval_request_reject(request=request, approver=second, comment="late")
    assert Adoption.objects.count() == 1


def test_rejection_needs_a_comment(member, approver, unit, model):
    request = ask(member, model, unit)
    with pytest.raises(InvalidRequest) as refused:
        approval_request_reject(request=request, approver=approver, comment="  ")
    assert refused.value.field == "comment"
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_approval_is_refused_when_the_model_was_retired_meanwhile(member, approver, unit, model):
    request = ask(member, model, unit)
    model.status = ModelStatus.RETIRED
    model.save()
    with pytest.raises(InvalidRequest, match="retired"):
        approval_request_approve(request=request, approver=approver)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


# Withdrawing


def test_only_the_requester_withdraws_others_get_404(member, manager, approver, unit, model):
    request = ask(member, model, unit)
    for other in (manager, approver):
        with pytest.raises(Http404):
            approval_request_withdraw(request=request, user=other)
    assert approval_request_withdraw(request=request, user=member).status == "withdrawn"
    with pytest.raises(Conflict):
        approval_request_withdraw(request=request, user=member)


# Adoptions


def test_unit_manager_revokes_and_the_unit_may_ask_again(member, manager, approver, unit, model):
    adoption = approved(member, approver, model, unit)
    revoked = adoption_revoke(adoption=adoption, user=manager)
    assert revoked.status == AdoptionStatus.REVOKED
    assert revoked.history.latest().history_user == manager
    with pytest.raises(Conflict):
        adoption_revoke(adoption=adoption, user=manager)
    assert ask(member, model, unit).status == RequestStatus.PENDING


def test_catalog_admin_revokes_but_members_and_approvers_may_not(
    member, approver, catalog_admin, unit, model
):
    adoption = approved(member, approver, model, unit)
    for user in (member, approver):
        with pytest.raises(PermissionDenied):
            adoption_revoke(adoption=adoption, user=user)
    assert adoption_revoke(adoption=adoption, user=catalog_admin).status == "revoked"


def test_approver_renews_an_active_adoption_for_another_period(
    member, approver, manager, unit, model, settings
):
    adoption = approved(member, approver, model, unit)
    Adoption.objects.filter(pk=adoption.pk).update(
        expires_at=timezone.now() + timedelta(days=3), expiry_notified_at=timezone.now()
    )
    renewed = adoption_renew(adoption=adoption, approver=approver)
    assert renewed.expires_at > timezone.now() + timedelta(days=settings.APPROVAL_VALIDITY_DAYS - 1)
    assert renewed.expiry_notified_at is None
    with pytest.raises(PermissionDenied):
        adoption_renew(adoption=adoption, approver=manager)


def test_nobody_renews_the_adoption_they_requested(approver, unit, model):
    Membership.objects.create(user=approver, unit=unit)
    second = UserFactory(username="eve")
    second.groups.set(approver.groups.all())
    adoption = approved(approver, second, model, unit)
    with pytest.raises(PermissionDenied):
        adoption_renew(adoption=adoption, approver=approver)


def test_expired_or_revoked_adoptions_cannot_be_renewed(member, approver, manager, unit, model):
    adoption = approved(member, approver, model, unit)
    Adoption.objects.filter(pk=adoption.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(Conflict, match="expired"):
        adoption_renew(adoption=adoption, approver=approver)
    adoption_revoke(adoption=adoption, user=manager)
    with pytest.raises(Conflict, match="revoked"):
        adoption_renew(adoption=adoption, approver=approver)


def test_expiry_ends_only_lapsed_adoptions_once_and_keeps_the_history(
    member, approver, unit, other_unit, model
):
    lapsed = approved(member, approver, model, unit)
    Membership.objects.create(user=member, unit=other_unit)
    current = approved(member, approver, model, other_unit)
    later = timezone.now() + timedelta(days=1)
    Adoption.objects.filter(pk=lapsed.pk).update(expires_at=later - timedelta(hours=1))
    assert adoptions_expire(now=later) == 1
    assert adoptions_expire(now=later) == 0
    lapsed.refresh_from_db()
    current.refresh_from_db()
    assert (lapsed.status, current.status) == (AdoptionStatus.EXPIRED, AdoptionStatus.ACTIVE)
    assert lapsed.history.latest().history_change_reason == "approval expired"
    assert ask(member, model, unit).status == RequestStatus.PENDING


def test_a_lapsed_adoption_may_be_requested_again_before_the_daily_job_runs(
    member, approver, unit, model
):
    lapsed = approved(member, approver, model, unit)
    Adoption.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict, match="request the model again"):
        adoption_renew(adoption=lapsed, approver=approver)

    again = ask(member, model, unit)

    assert again.status == RequestStatus.PENDING
    renewed = approval_request_approve(request=again, approver=approver).adoption
    lapsed.refresh_from_db()
    assert lapsed.status == AdoptionStatus.EXPIRED
    assert lapsed.history.latest().history_change_reason == "approval expired"
    assert renewed.status == AdoptionStatus.ACTIVE and renewed.expires_at > timezone.now()
    assert list(Adoption.objects.callable_now()) == [renewed]


# Who sees what


def test_requests_are_visible_to_requester_unit_managers_approvers_and_admins_only(
    member, manager, approver, catalog_admin, outsider, unit, other_unit, model
):
    mine = ask(member, model, unit)
    elsewhere_member = UserFactory()
    Membership.objects.create(user=elsewhere_member, unit=other_unit)
    theirs = ask(elsewhere_member, model, other_unit)
    visible = {
        user.username: set(ApprovalRequest.objects.visible_to(user))
        for user in (member, manager, approver, catalog_admin, outsider)
    }
    assert visible == {
        "alice": {mine},
        "frank": {mine},
        "bob": {mine, theirs},
        "carol": {mine, theirs},
        "victor": set(),
    }
