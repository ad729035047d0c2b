"""Posting the admin's change form as a browser would: every field as shown, some changed."""

from django.contrib import admin
from django.db.models import Model
from django.test import RequestFactory


def admin_form_data(user, obj: Model, **changes: object) -> dict[str, object]:
    """What the admin's change form for `obj` posts untouched, with `changes` applied (inline
    formsets posted empty)."""
    request = RequestFactory().get("/")
    request.user = user
    model_admin = admin.site._registry[type(obj)]
    form = model_admin.get_form(request, obj)(instance=obj)
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is not None and value is not False:
            data[name] = value
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset.get_default_prefix()
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{key}"] = 0
    return data | changes


def edit_in_admin(client, user, obj: Model, **changes: object):
    """POST the change form of `obj` as `user` with `changes`; the admin's response."""
    client.force_login(user)
    meta = obj._meta
    return client.post(
        f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/",
        admin_form_data(user, obj, **changes),
    )
