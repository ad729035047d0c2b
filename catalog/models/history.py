"""Audit history that also follows many-to-many changes made from the other side."""

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords


class AuditedRecords(HistoricalRecords):  # type: ignore[misc]  # simple-history is untyped
    """simple-history records an m2m change only when it is made from the audited model's side;
    from the other side (`unit.restricted_models.clear()`) it crashed on the unit, which has no
    history. Such a change is recorded on each audited row it touched instead."""

    def m2m_changed(
        self,
        instance: Any,
        action: str,
        attr: str,
        pk_set: set[Any] | None,
        reverse: bool,
        **kwargs: Any,
    ) -> None:
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)  # type: ignore[no-any-return]  # untyped base
        if action == "pre_clear":  # after the clear, nothing says which rows it touched
            instance._audited_cleared = list(_linked_pks(kwargs["sender"], instance))
            return None
        if action not in ("post_add", "post_remove", "post_clear"):
            return None
        pks = instance.__dict__.pop("_audited_cleared", []) if pk_set is None else pk_set
        for audited in kwargs["model"]._default_manager.filter(pk__in=pks):
            super().m2m_changed(audited, action, attr, None, False, **kwargs)
        return None


def _linked_pks(through: type[models.Model], instance: models.Model) -> Any:
    """The audited rows linked to `instance` in the through table of a reverse m2m change."""
    keys = [f for f in through._meta.fields if isinstance(f, models.ForeignKey)]
    own = next(f for f in keys if f.related_model is type(instance))
    other = next(f for f in keys if f is not own)
    return through._default_manager.filter(**{own.name: instance}).values_list(
        other.attname, flat=True
    )
