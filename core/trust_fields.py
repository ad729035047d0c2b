"""Where the trust boundary's two field validators attach: every API serializer and admin
form that stores a URL the server will call or the name of a key variable.

The validators live on the forms rather than the models: a model field's validators are not
run by `objects.create` anyway, and forms and serializers are where a person's input arrives.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator

from core.http import validate_key_env, validate_outbound_url

# In the API schema as a pattern, so clients know the form of a key variable's name up front.
KEY_ENV_NAME = RegexValidator(
    settings.KEY_ENV_PATTERN,
    "The NAME of an environment variable holding a vendor key (e.g. OPENAI_API_KEY), "
    "never the key itself.",
)


def serializer_kwargs(
    *, url_fields: Iterable[str] = (), key_env_fields: Iterable[str] = ()
) -> dict[str, dict[str, Any]]:
    """`Meta.extra_kwargs` for a ModelSerializer: each named field refuses what the outbound
    client would refuse (DRF's URLField keeps its own URL check on top)."""
    extra: dict[str, dict[str, Any]] = {
        name: {"validators": [validate_outbound_url]} for name in url_fields
    }
    extra.update(
        {name: {"validators": [KEY_ENV_NAME, validate_key_env]} for name in key_env_fields}
    )
    return extra


class TrustBoundaryForm(forms.ModelForm):  # type: ignore[type-arg]
    """An admin ModelForm whose `url_fields` and `key_env_fields` are checked as the API
    checks them (errors show on the field)."""

    url_fields: tuple[str, ...] = ()
    key_env_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.url_fields:
            if name in self.fields:
                self.fields[name].validators.append(validate_outbound_url)
        for name in self.key_env_fields:
            if name in self.fields:
                self.fields[name].validators.append(validate_key_env)
