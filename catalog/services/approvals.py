"""The approval workflow: a member asks, an approver decides once, the unit adopts the model
until the approval expires, is renewed or is revoked.

Every rule of DESIGN.md "Roles and rules" lives here; views, pages and tasks only call these.
Checks run in the order a caller should learn about them: 404 (may not see it), 403 (may not do
it), 400 (bad input), 409 (the state forbids it).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import BusinessUnit, Membership, User
from catalog.choices import AdoptionStatus, DataClassification, ModelStatus, RequestStatus
from catalog.models import Adoption, AIModel, ApprovalRequest, Evaluation
from catalog.services.budgets import units_check_budget
from catalog.terms import LIMIT_FIELDS, Limits
from core.errors import Conflict, InvalidRequest
from core.notify import notify

EXPIRY_NOTICE_DAYS = 30
MAX_TOKENS = 2**63 - 1  # PositiveBigIntegerField; larger values would reach PostgreSQL and fail
CACHE_SHARE_STEP = Decimal("0.0001")  # the column's 4 decimal places
USE_CASE_MAX_LENGTH = ApprovalRequest._meta.get_field("use_case").max_length or 200

CLOSED_STATUSES = {
    ModelStatus.DEPRECATED: "is deprecated",
    ModelStatus.RETIRED: "is retired",
    ModelStatus.UNDER_REVIEW: "is still under review and not approved for use yet",
}


def approval_request_create(
    *,
    requester: User,
    model: AIModel,
    unit: BusinessUnit,
    use_case: str,
    justification: str = "",
    data_classification: str,
    expected_monthly_input_tokens: int = 0,
    expected_monthly_output_tokens: int = 0,
    expected_cache_share: Decimal = Decimal(0),
    evidence: Sequence[Evaluation] = (),
    limits: Limits | None = None,
) -> ApprovalRequest:
    """File a pending request for `unit` to use `model`, citing evaluations of that model as
    evidence and asking for `limits`; approvers are told after commit."""
    if not Membership.objects.filter(user=requester, unit=unit).exists():
        raise PermissionDenied(f"Only members of {unit.name} may request models for it.")
    use_case = use_case.strip()
    if not use_case:
        raise InvalidRequest("Say what the model will be used for.", field="use_case")
    if len(use_case) > USE_CASE_MAX_LENGTH:
        raise InvalidRequest(
            f"Keep the use case under {USE_CASE_MAX_LENGTH} characters.", field="use_case"
        )
    for field, value in (
        ("expected_monthly_input_tokens", expected_monthly_input_tokens),
        ("expected_monthly_output_tokens", expected_monthly_output_tokens),
    ):
        if not 0 <= value <= MAX_TOKENS:
            raise InvalidRequest(f"Must be between 0 and {MAX_TOKENS}.", field=field)
    if not (
        expected_cache_share.is_finite()
        and 0 <= expected_cache_share <= 1
        and expected_cache_share == expected_cache_share.quantize(CACHE_SHARE_STEP)
    ):
        raise InvalidRequest(
            "A fraction from 0 to 1 with at most 4 decimal places.", field="expected_cache_share"
        )
    _check_model_open_to(model, unit, data_classification)
    if any(evaluation.model_id != model.pk for evaluation in evidence):
        raise InvalidRequest(f"Evidence must be evaluations of {model.name}.", field="evidence")
    if any(evaluation.unit_id not in (None, unit.pk) for evaluation in evidence):
        # Whoever sees this request (its unit's managers) must not read another unit's suite.
        raise InvalidRequest(
            f"Evidence must be shared or {unit.name}'s own evaluations.", field="evidence"
        )
    asked = (limits or Limits()).check()

    request = ApprovalRequest(
        requester=requester,
        model=model,
        unit=unit,
        use_case=use_case,
        justification=justification.strip(),
        data_classification=data_classification,
        expected_monthly_input_tokens=expected_monthly_input_tokens,
        expected_monthly_output_tokens=expected_monthly_output_tokens,
        expected_cache_share=expected_cache_share,
        **asked.as_fields(),
    )
    request._history_user = requester  # type: ignore[attr-defined]  # read by simple-history
    with transaction.atomic():
        _lock_unit(unit.pk)
        # A lapsed adoption is expired already, whether or not the daily job has run.
        if Adoption.objects.in_force().filter(unit=unit, model=model).exists():
            raise Conflict(f"{unit.name} already uses {model.name}; no new request is needed.")
        try:
            # The partial unique constraint decides between two concurrent requests.
            with transaction.atomic():
                request.save()
        except IntegrityError:
            raise Conflict(f"{unit.name} already has a pending request for {model.name}.") from None
        if evidence:
            request.evidence.set(evidence)
        notify(
            recipients=User.objects.approvers().exclude(pk=requester.pk),
            subject=f"New request: {model.name} for {unit.name}",
            body=_request_summary(request),
        )
    return request


def approval_request_approve(
    *, request: ApprovalRequest, approver: User, comment: str = "", limits: Limits | None = None
) -> ApprovalRequest:
    """Approve once; the unit's active adoption is created in the same transaction, under the
    `limits` the approver sets (None: those the request asked for).

    Returns the updated request (a fresh instance: `request` itself is left as it was read).
    """
    _check_may_decide(request, approver)
    if limits is not None:
        limits.check()
    with transaction.atomic():
        _lock_unit(request.unit_id)
        decided = _lock_pending(request)
        # The catalog may have moved since the request was filed.
        _check_model_open_to(decided.model, decided.unit, decided.data_classification)
        now = timezone.now()
        _record_decision(decided, approver, RequestStatus.APPROVED, comment, now)
        # A lapsed adoption still marked active would hold the one-active-per-unit-model slot.
        _expire(
            Adoption.objects.active()
            .filter(unit_id=decided.unit_id, model_id=decided.model_id, expires_at__lte=now)
            .select_for_update()
        )
        adoption = Adoption(
            unit=decided.unit,
            model=decided.model,
            use_case=decided.use_case,
            approval=decided,
            approved_at=now,
            expires_at=now + timedelta(days=settings.APPROVAL_VALIDITY_DAYS),
            expected_monthly_input_tokens=decided.expected_monthly_input_tokens,
            expected_monthly_output_tokens=decided.expected_monthly_output_tokens,
            expected_cache_share=decided.expected_cache_share,
            **(limits or Limits(**{f: getattr(decided, f) for f in LIMIT_FIELDS})).as_fields(),
        )
        adoption._history_user = approver  # type: ignore[attr-defined]  # read by simple-history
        try:
            with transaction.atomic():
                adoption.save()
        except IntegrityError:
            raise Conflict(
                f"{decided.unit.name} already uses {decided.model.name}; "
                "withdraw or reject this request instead."
            ) from None
        _notify_requester(decided, adoption)
        units_check_budget(
            unit_ids=[decided.unit_id],
            reason=f"New adoption: {decided.model.name} for “{decided.use_case}”.",
        )
    return decided


def approval_request_reject(
    *, request: ApprovalRequest, approver: User, comment: str
) -> ApprovalRequest:
    """Reject once, saying why; the unit may ask again later."""
    _check_may_decide(request, approver)
    if not comment.strip():
        raise InvalidRequest("A rejection needs a comment that says why.", field="comment")
    with transaction.atomic():
        decided = _lock_pending(request)
        _record_decision(decided, approver, RequestStatus.REJECTED, comment, timezone.now())
        _notify_requester(decided, None)
    return decided


def approval_request_withdraw(*, request: ApprovalRequest, user: User) -> ApprovalRequest:
    """The requester takes back a pending request; to anyone else it does not exist."""
    if request.requester_id != user.pk:
        raise Http404("No such request.")
    with transaction.atomic():
        withdrawn = _lock_pending(request)
        withdrawn.status = RequestStatus.WITHDRAWN
        withdrawn._history_user = user  # type: ignore[attr-defined]  # read by simple-history
        withdrawn.save(update_fields=["status"])
    return withdrawn


def adoption_revoke(*, adoption: Adoption, user: User) -> Adoption:
    """A unit manager or catalog admin ends an active adoption; the unit's managers hear of it."""
    if not may_revoke(user=user, unit_id=adoption.unit_id):
        raise PermissionDenied("Only the unit's managers or catalog admins may revoke adoptions.")
    with transaction.atomic():
        revoked = _lock_active(adoption)
        revoked.status = AdoptionStatus.REVOKED
        revoked._history_user = user  # type: ignore[attr-defined]  # read by simple-history
        revoked.save(update_fields=["status"])
        notify(
            recipients=User.objects.managers_of([revoked.unit_id]).exclude(pk=user.pk),
            subject=f"{revoked.model.name} revoked for {revoked.unit.name}",
            body=f"{_name(user)} revoked {revoked.unit.name}'s use of {revoked.model.name} "
            f"({revoked.use_case}). A member may request it again.",
        )
    return revoked


def adoption_renew(*, adoption: Adoption, approver: User) -> Adoption:
    """An approver re-certifies an active adoption for another validity period."""
    if not approver.is_approver:
        raise PermissionDenied("Only approvers may renew adoptions.")
    if adoption.approval is not None and adoption.approval.requester_id == approver.pk:
        raise PermissionDenied("Nobody re-certifies their own request.")
    with transaction.atomic():
        renewed = _lock_active(adoption)
        now = timezone.now()
        if renewed.expires_at <= now:
            raise Conflict("This adoption has already expired; request the model again.")
        renewed.expires_at = now + timedelta(days=settings.APPROVAL_VALIDITY_DAYS)
        renewed.expiry_notified_at = None  # the next expiry deserves its own notice
        renewed._history_user = approver  # type: ignore[attr-defined]  # read by simple-history
        renewed.save(update_fields=["expires_at", "expiry_notified_at"])
    return renewed


def adoptions_expire(*, now: datetime | None = None) -> int:
    """Expire active adoptions past their date; a second run the same day changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        return _expire(
            Adoption.objects.active()
            .filter(expires_at__lte=now)
            .select_for_update(skip_locked=True)
        )


def _expire(due: QuerySet[Adoption]) -> int:
    """Mark lapsed adoptions expired, with their audit history; returns how many."""
    lapsed = list(due)
    for adoption in lapsed:
        adoption.status = AdoptionStatus.EXPIRED
    bulk_update_with_history(lapsed, Adoption, ["status"], default_change_reason="approval expired")
    return len(lapsed)


def adoptions_notify_expiring(
    *, now: datetime | None = None, days_ahead: int = EXPIRY_NOTICE_DAYS
) -> int:
    """Tell each unit's managers, once per adoption, which approvals expire within `days_ahead`.

    Returns how many adoptions were announced.
    """
    now = now or timezone.now()
    expiring = (
        Adoption.objects.active()
        .filter(
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=days_ahead),
            expiry_notified_at__isnull=True,
        )
        .select_related("unit", "model")
        .order_by("unit_id", "expires_at")
    )
    by_unit: dict[int, list[Adoption]] = defaultdict(list)
    with transaction.atomic():
        for adoption in expiring:
            # Claim with a conditional UPDATE: a duplicated or concurrent run notifies once.
            claimed = Adoption.objects.filter(
                pk=adoption.pk, expiry_notified_at__isnull=True
            ).update(expiry_notified_at=timezone.now())
            if claimed == 1:
                by_unit[adoption.unit_id].append(adoption)
        for unit_id, adoptions in by_unit.items():
            unit = adoptions[0].unit
            lines = [
                f"- {a.model.name} for {a.use_case}: expires {a.expires_at:%Y-%m-%d}, "
                f"estimated monthly cost {_money(a)} (adoption #{a.pk})"
                for a in adoptions
            ]
            notify(
                recipients=User.objects.managers_of([unit_id]),
                subject=f"{len(adoptions)} approval(s) for {unit.name} expire soon",
                body="These approvals expire within "
                f"{days_ahead} days; ask an approver to renew the ones {unit.name} "
                "still needs:\n" + "\n".join(lines),
            )
    return sum(len(adoptions) for adoptions in by_unit.values())


def _check_model_open_to(model: AIModel, unit: BusinessUnit, data_classification: str) -> None:
    """The 400s: a closed or restricted model, or data more sensitive than it is cleared for."""
    if model.status in CLOSED_STATUSES:
        message = f"{model.name} {CLOSED_STATUSES[ModelStatus(model.status)]}"
        successor = model.successor
        if successor is not None:
            message += f"; request its successor {successor.name} ({successor.slug}) instead"
        raise InvalidRequest(message + ".", field="model")
    if (
        model.status == ModelStatus.RESTRICTED
        and not model.allowed_units.filter(pk=unit.pk).exists()
    ):
        raise InvalidRequest(
            f"{model.name} is restricted to other units; {unit.name} may not use it.",
            field="model",
        )
    if data_classification not in DataClassification.values:
        raise InvalidRequest(
            f"Choose one of {', '.join(DataClassification.values)}.", field="data_classification"
        )
    if DataClassification.rank(data_classification) > DataClassification.rank(
        model.max_data_classification
    ):
        raise InvalidRequest(
            f"{model.name} is cleared for data up to {model.max_data_classification}, "
            f"not {data_classification}.",
            field="data_classification",
        )


def _check_may_decide(request: ApprovalRequest, user: User) -> None:
    if not user.is_approver:
        if not request.is_visible_to(user):
            raise Http404("No such request.")
        raise PermissionDenied("Only approvers decide requests.")
    if request.requester_id == user.pk:
        raise PermissionDenied("Nobody decides their own request.")


def _lock_unit(unit_id: int) -> None:
    """Filing and approving requests of one unit take turns on its row (first, always: one lock
    order), so no request slips in for a model whose approval is committing."""
    BusinessUnit.objects.select_for_update().filter(pk=unit_id).exists()


def _lock_pending(request: ApprovalRequest) -> ApprovalRequest:
    """Re-read the request under a row lock: of two simultaneous deciders, the second waits
    here and then sees the first one's decision (409)."""
    locked = (
        ApprovalRequest.objects.select_related(
            "model__successor", "unit", "requester", "decided_by"
        )
        .select_for_update(of=("self",))
        .get(pk=request.pk)
    )
    if locked.status != RequestStatus.PENDING:
        by = f" by {_name(locked.decided_by)}" if locked.decided_by else ""
        raise Conflict(f"This request was already {locked.status}{by}; it cannot change again.")
    return locked


def _lock_active(adoption: Adoption) -> Adoption:
    locked = (
        Adoption.objects.select_related("model", "unit")
        .select_for_update(of=("self",))
        .get(pk=adoption.pk)
    )
    if locked.status != AdoptionStatus.ACTIVE:
        raise Conflict(f"This adoption is already {locked.status}.")
    return locked


def _record_decision(
    request: ApprovalRequest, approver: User, status: str, comment: str, now: datetime
) -> None:
    request.status = status
    request.decided_by = approver
    request.decided_at = now
    request.decision_comment = comment.strip()
    request._history_user = approver  # type: ignore[attr-defined]  # read by simple-history
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])


def _notify_requester(request: ApprovalRequest, adoption: Adoption | None) -> None:
    lines = [f"{_name(request.decided_by)} {request.status} your request #{request.pk}."]
    if request.decision_comment:
        lines.append(f"Comment: {request.decision_comment}")
    if adoption is not None:
        lines.append(
            f"{request.unit.name} may use {request.model.name} until "
            f"{adoption.expires_at:%Y-%m-%d}."
        )
    else:
        lines.append("You may ask again once the reasons are addressed.")
    notify(
        recipients=[request.requester],
        subject=f"Your request for {request.model.name} ({request.unit.name}) was {request.status}",
        body="\n".join([*lines, "", _request_summary(request)]),
        url=reverse("catalog:request_detail", args=[request.pk]),
    )


def _request_summary(request: ApprovalRequest) -> str:
    return "\n".join(
        [
            f"Request #{request.pk} by {_name(request.requester)}",
            f"Model: {request.model.name} ({request.model.slug})",
            f"Business unit: {request.unit.name}",
            f"Use case: {request.use_case}",
            f"Data classification: {request.data_classification}",
            f"Expected monthly tokens: {request.expected_monthly_input_tokens:,} in, "
            f"{request.expected_monthly_output_tokens:,} out, "
            f"{request.expected_cache_share * 100:.2f} % of the input from the cache",
            f"Estimated monthly cost: {_money(request)}",
            *([f"Justification: {request.justification}"] if request.justification else []),
        ]
    )


def _money(item: Adoption | ApprovalRequest) -> str:
    cost = item.estimated_monthly_cost
    return "unpriced" if cost is None else f"${cost:,}"


def may_revoke(*, user: User, unit_id: int) -> bool:
    """Who may revoke a unit's adoption, and so undo it: its (active) managers and catalog
    admins."""
    return user.is_catalog_admin or User.objects.managers_of([unit_id]).filter(pk=user.pk).exists()


def _name(user: User | None) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.username
