"""Point the demo catalog at the fake vendor (`make run`), so its jobs never need the internet."""

from django.db import transaction

from catalog.choices import ApiKind, PriceSource
from catalog.models import Vendor
from fakevendor import FAKE_KEY_ENV

# Vendors that get a model list at the fake (the others keep only their price source).
LISTS = {
    "openai": ApiKind.OPENAI,
    "anthropic": ApiKind.ANTHROPIC,
    "mistral": ApiKind.OPENAI,
    "deepseek": ApiKind.OPENAI,
    "openrouter": ApiKind.OPENROUTER,
}


@transaction.atomic
def vendors_point_at_fake(*, url: str) -> int:
    """Rewrite URLs of LiteLLM-priced vendors and the listed ones; returns how many changed."""
    root = url.rstrip("/")
    changed = 0
    for vendor in Vendor.objects.select_for_update().filter(price_source=PriceSource.LITELLM):
        wanted = {"price_source_url": f"{root}/litellm/model_prices.json"}
        if kind := LISTS.get(vendor.slug):
            base = (
                f"{root}/openrouter/api/v1"
                if kind == ApiKind.OPENROUTER
                else f"{root}/{vendor.slug}/v1"
            )
            wanted |= {
                "api_kind": kind,
                "api_base_url": base,
                "api_key_env": FAKE_KEY_ENV,
                "status_page_url": f"{root}/status/{vendor.slug}",
            }
        if any(getattr(vendor, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(vendor, name, value)
            vendor.save()
            changed += 1
    return changed
