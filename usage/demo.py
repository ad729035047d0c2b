"""The demo's usage: sources at the fake vendor, accounts for the demo units, and a demo
company that has been running since the first of last month.

The demo seed approves its adoptions and imports its prices today; usage from earlier days
would then all look unapproved and unpriced. So the demo (and only the demo) dates its own
adoptions and each used model's first price observation back to when its usage starts.
"""

from datetime import UTC, date, datetime

from django.db import transaction

from accounts.models import BusinessUnit
from catalog.models import Adoption, AIModel, PriceObservation
from fakevendor import FAKE_KEY_ENV
from fakevendor.usage import demo_plan
from usage.choices import SourceKind
from usage.models import UsageAccount, UsageSource

SOURCES = [
    ("Company LiteLLM proxy", SourceKind.LITELLM, "litellm",
     {"team-marketing": "marketing", "team-engineering": "engineering"}),
    ("OpenAI organization", SourceKind.OPENAI, "openai/v1", {"proj_legal": "legal"}),
    ("Anthropic organization", SourceKind.ANTHROPIC, "anthropic/v1",
     {"wrkspc_support": "customer-support"}),
]  # fmt: skip
DEMO_JUSTIFICATION = "Demo adoption."


@transaction.atomic
def usage_demo_setup(*, url: str) -> date:
    """Idempotent. Returns the first day of the demo's usage."""
    plan = demo_plan()
    since = datetime.combine(plan.start, datetime.min.time(), UTC)
    units = {u.slug: u for u in BusinessUnit.objects.all()}
    for name, kind, path, accounts in SOURCES:
        source, _ = UsageSource.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "base_url": f"{url.rstrip('/')}/{path}",
                "key_env": FAKE_KEY_ENV,
            },
        )
        for external_id, slug in accounts.items():
            if slug in units:
                UsageAccount.objects.update_or_create(
                    source=source, external_id=external_id, defaults={"unit": units[slug]}
                )
    Adoption.objects.filter(
        approval__justification=DEMO_JUSTIFICATION, approved_at__gt=since
    ).update(approved_at=since)
    used = AIModel.objects.filter(price_source_key__in={e.model for e in plan.entries})
    for model_id in used.values_list("pk", flat=True):
        first = PriceObservation.objects.filter(model_id=model_id).order_by("observed_at").first()
        if first and first.observed_at > since:
            PriceObservation.objects.filter(pk=first.pk).update(observed_at=since)
    return plan.start
