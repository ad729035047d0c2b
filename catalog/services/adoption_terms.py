"""An adoption's operating terms: the alias the unit's apps call it by and the limits its gateway
enforces (DESIGN.md, "Gateways: decisions that hold").

The unit's managers name their adoptions; approvers and catalog admins set the limits, since a
limit is part of what was approved. Every change is a saved row in the adoption's history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User
from catalog.choices import AdoptionStatus
from catalog.models import Adoption
from catalog.models.adoptions import ALIAS_MAX_LENGTH, validate_alias
from catalog.terms import LIMIT_FIELDS, Limits
from core.errors import Conflict, InvalidRequest


def alias_check(alias: str) -> str:
    """The alias as stored ("" for none), or a 400 naming the field."""
    alias = alias.strip()
    if not alias:
        return ""
    if len(alias) > ALIAS_MAX_LENGTH:
        raise InvalidRequest(f"Keep it under {ALIAS_MAX_LENGTH} characters.", field="alias")
    try:
        validate_alias(alias)
    except ValidationError as error:
        raise InvalidRequest(str(error.messages[0]), field="alias") from None
    return alias


def adoption_update(
    *,
    adoption: Adoption,
    user: User,
    alias: str | None = None,
    limits: Limits | None = None,
    changed: frozenset[str] = frozenset(),
) -> Adoption:
    """Set the alias (the unit's managers) and the limits named in `changed` (approvers and
    catalog admins) of an active adoption, in one audited save."""
    wants_alias = alias is not None
    wants_limits = bool(set(changed) & set(LIMIT_FIELDS))
    if wants_alias and not _manages(user, adoption.unit_id):
        raise PermissionDenied("Only the unit's managers name its adoptions.")
    if wants_limits and not (user.is_approver or user.is_catalog_admin):
        raise PermissionDenied("Only approvers and catalog admins set an adoption's limits.")
    new_alias = alias_check(alias) if alias is not None else None
    if limits is not None:
        limits.check()
    with transaction.atomic():
        locked = (
            Adoption.objects.select_for_update(of=("self",))
            .select_related("unit", "model")
            .get(pk=adoption.pk)
        )
        if locked.status != AdoptionStatus.ACTIVE:
            raise Conflict(f"This adoption is {locked.status}; its terms no longer apply.")
        update_fields = []
        if new_alias is not None and new_alias != locked.alias:
            _check_alias_free(locked, new_alias)
            locked.alias = new_alias
            update_fields.append("alias")
        if limits is not None:
            for name in LIMIT_FIELDS:
                if name in changed and getattr(locked, name) != getattr(limits, name):
                    setattr(locked, name, getattr(limits, name))
                    update_fields.append(name)
        if update_fields:
            locked._history_user = user  # type: ignore[attr-defined]
            try:
                with transaction.atomic():
                    locked.save(update_fields=update_fields)
            except IntegrityError:  # a concurrent update took the alias first
                raise Conflict(
                    f"{locked.unit.name} already calls another model “{new_alias}”."
                ) from None
    return locked


def _check_alias_free(adoption: Adoption, alias: str) -> None:
    """An alias names one model at the unit's gateway: not another active adoption's alias,
    nor the slug another one is called by when it has no alias."""
    if not alias:
        return
    others = Adoption.objects.filter(unit_id=adoption.unit_id, status=AdoptionStatus.ACTIVE)
    others = others.exclude(pk=adoption.pk)
    if others.filter(alias=alias).exists() or others.filter(alias="", model__slug=alias).exists():
        raise Conflict(f"{adoption.unit.name} already calls another model “{alias}”.")


def _manages(user: User, unit_id: int) -> bool:
    managers: bool = User.objects.managers_of([unit_id]).filter(pk=user.pk).exists()
    return managers
