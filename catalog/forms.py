"""Forms behind the pages; the rules themselves live in the services, which have the last word."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse

from accounts.models import BusinessUnit, User
from catalog.choices import DataClassification, PriceUnit
from catalog.evidence import CitableRun, run_source
from catalog.formatting import embeds_only, usd
from catalog.models import AIModel, Evaluation
from catalog.models.adoptions import MAX_LIMIT, monthly_cost, monthly_cost_in_units
from catalog.terms import LIMIT_FIELDS, Limits
from core.errors import InvalidRequest

MAX_TOKENS = 2**63 - 1
TOKEN_FIELDS = ("expected_monthly_input_tokens", "expected_monthly_output_tokens")
MINUTES_A_MONTH = 30 * 24 * 60
CACHE_PERCENT_FIELD = "expected_cache_share"  # a percentage on the form, a fraction stored
HUNDRED = Decimal(100)


# What a price unit counts, for the model page's cost calculator ("Queries a month").
UNIT_NOUNS = {
    PriceUnit.PER_MTOK: "tokens",
    PriceUnit.PER_QUERY: "queries",
    PriceUnit.PER_IMAGE: "images",
    PriceUnit.PER_SECOND: "seconds",
    PriceUnit.PER_CHARACTER: "characters",
    PriceUnit.PER_PAGE: "pages",
}


def live_cost(model: AIModel, data: Mapping[str, Any], *, in_units: bool = False) -> Decimal | None:
    """The monthly cost of the volumes typed so far in TOKEN_FIELDS (None while a volume is
    missing or not a whole number, or the model is unpriced). One estimate for the request form
    (token volumes, per-token prices only) and the model page's calculator, which with
    `in_units` also counts queries, images… for models priced per unit."""
    volumes = []
    for name in TOKEN_FIELDS:
        # The calculator may leave a side empty (none of it); the request form asks for both.
        value = (data.get(name) or "0") if in_units else data.get(name, "")
        try:
            volumes.append(max(0, min(int(str(value).strip()), MAX_TOKENS)))
        except (TypeError, ValueError):
            return None
    if in_units:
        if not any(volumes):
            return None
        return monthly_cost_in_units(model, *volumes)
    input_tokens, output_tokens = volumes
    return monthly_cost(model, input_tokens, output_tokens, cache_share_of(data))


def cache_share_of(data: Mapping[str, Any]) -> Decimal:
    """The cache percentage typed so far as a fraction (0 while empty or not a percentage)."""
    try:
        percent = Decimal(str(data.get(CACHE_PERCENT_FIELD) or "0").strip())
    except ArithmeticError:
        return Decimal(0)
    if not percent.is_finite() or not 0 <= percent <= HUNDRED:
        return Decimal(0)
    return (percent / HUNDRED).quantize(Decimal("0.0001"))


def cost_sides(model: AIModel) -> list[tuple[str, str]]:
    """The calculator's volume fields for `model`: (field name, label) for each priced side."""
    noun = UNIT_NOUNS.get(PriceUnit(model.price_unit), "units")
    sides = [
        (name, side)
        for name, side, price in zip(
            TOKEN_FIELDS,
            ("Input", "Output"),
            (model.input_price_per_mtok, model.output_price_per_mtok),
            strict=True,
        )
        if price is not None and not (side == "Output" and embeds_only(model.output_modalities))
    ]
    if len(sides) == 1 and model.price_unit != PriceUnit.PER_MTOK:
        return [(sides[0][0], f"{noun.capitalize()} a month")]
    return [(name, f"{side} {noun} a month") for name, side in sides]


class LimitsForm(forms.Form):
    """The limits a gateway enforces for an adoption (optional): asked in the request, set by
    the approver."""

    tpm_limit = forms.IntegerField(
        label="Tokens per minute limit", required=False, min_value=1, max_value=MAX_LIMIT
    )
    rpm_limit = forms.IntegerField(
        label="Requests per minute limit", required=False, min_value=1, max_value=MAX_LIMIT
    )
    monthly_budget = forms.DecimalField(
        label="Monthly budget (USD)",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="What the gateway lets this use spend a month; empty: no budget of its own.",
    )

    def limits(self) -> Limits:
        """The cleaned limits (call after `is_valid()`)."""
        return Limits(**{name: self.cleaned_data.get(name) for name in LIMIT_FIELDS})


class ApprovalRequestForm(LimitsForm):
    """A member asks for one model for one of their units; each field validates inline."""

    business_unit = forms.ModelChoiceField(
        label="Business unit",
        queryset=BusinessUnit.objects.none(),
        to_field_name="slug",
        empty_label="Choose one of your units",
    )
    use_case = forms.CharField(
        label="Use case",
        max_length=200,
        help_text="What the model will do, e.g. “summarise support tickets”.",
    )
    data_classification = forms.ChoiceField(
        label="Data classification",
        choices=DataClassification.choices,
        initial=DataClassification.INTERNAL,
        help_text="The most sensitive data the model will see.",
    )
    expected_monthly_input_tokens = forms.IntegerField(
        label="Expected monthly input tokens", min_value=0, max_value=MAX_TOKENS
    )
    expected_monthly_output_tokens = forms.IntegerField(
        label="Expected monthly output tokens", min_value=0, max_value=MAX_TOKENS
    )
    expected_cache_share = forms.DecimalField(
        label="Expected share of input from the cache (%)",
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text="Input tokens read from a prompt cache, priced at the model's cache-read rate "
        "(at its input rate where none is known). Empty: none.",
    )
    justification = forms.CharField(
        label="Justification",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this model rather than one the unit already uses.",
    )

    def __init__(self, *args: Any, user: User, model: AIModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.model = model
        self.user = user
        self.citable_runs: list[CitableRun] = []
        if (source := run_source()) is not None:
            self.citable_runs = source.citable_runs(model, user)
            self.fields["eval_run"] = forms.CharField(
                label="Eval run to cite",
                required=False,
                widget=forms.RadioSelect(
                    choices=[("", "None"), *((str(r.id), run_label(r)) for r in self.citable_runs)]
                ),
                help_text=f"A finished run of {model.name} on one of your suites: the approvers "
                "see its pass rate, cost and latency.",
            )
        units = self.fields["business_unit"]
        units.queryset = BusinessUnit.objects.filter(memberships__user=user).order_by("name")  # type: ignore[attr-defined]  # a ModelChoiceField
        mine = list(units.queryset)  # type: ignore[attr-defined]  # as above
        if len(mine) == 1:
            units.initial = mine[0].slug
        validate_url = f"{reverse('catalog:request_new')}?model={model.slug}"
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            described = [f"error-{name}"] + ([f"help-{name}"] if field.help_text else [])
            attrs.update(
                {
                    "aria-describedby": " ".join(described),
                    "hx-post": validate_url,
                    "hx-trigger": "change",
                    "hx-target": f"#error-{name}",
                    "hx-swap": "outerHTML",
                    "hx-include": "closest form",
                    "hx-vals": '{"_validate": "1"}',
                    # One field's check after another's, each shown: "abort" dropped the
                    # second when the first was still in flight (a select changed right after
                    # typing lost its error; seen in CI).
                    "hx-sync": "closest form:queue all",
                }
            )
            if self.is_bound and name in self.errors:
                attrs["aria-invalid"] = "true"

    def clean_expected_cache_share(self) -> Decimal:
        """The percentage typed, as the fraction (0..1) the request stores."""
        percent = self.cleaned_data.get("expected_cache_share") or Decimal(0)
        return (percent / HUNDRED).quantize(Decimal("0.0001"))

    def live_cost(self) -> Decimal | None:
        """The monthly cost of the volumes typed so far (None while unknown or unpriced)."""
        return live_cost(self.model, self.data)

    def volume_hint(self) -> str:
        """What the monthly volumes typed so far imply for the limits: the average tokens a
        minute over a 30-day month (peaks run higher) and the cost at today's price."""
        tokens = 0
        for name in TOKEN_FIELDS:
            raw = str(self.data.get(name) or "0").replace(",", "").replace("_", "")
            if not raw.isdigit() or len(raw) > 19:
                return ""
            tokens += int(raw)
        if not tokens:
            return "Enter the expected volumes to see what they imply for the limits."
        per_minute = max(1, round(tokens / MINUTES_A_MONTH))
        cost = self.live_cost()
        implied = f"{tokens:,} tokens a month average {per_minute:,} tokens a minute"
        if cost is not None:
            implied += f" and cost about ${cost:,} a month at today's price"
        return f"{implied}; allow headroom for peaks."

    def clean_eval_run(self) -> Evaluation | None:
        """The cited run's Evaluation (as the API cites one), from the source's own checks."""
        raw = (self.cleaned_data.get("eval_run") or "").strip()
        source = run_source()
        if not raw or source is None:
            return None
        if not raw.isdigit() or len(raw) > 18:
            raise forms.ValidationError(f"Pick one of the eval runs listed (not “{raw[:20]}”).")
        try:
            return source.run_evidence(self.model, int(raw), self.user)
        except InvalidRequest as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        level = data.get("data_classification")
        if level and DataClassification.rank(level) > DataClassification.rank(
            self.model.max_data_classification
        ):
            self.add_error(
                "data_classification",
                f"{self.model.name} is cleared for "
                f"{self.model.get_max_data_classification_display().lower()} data at most.",
            )
        return data


def run_label(run: CitableRun) -> str:
    """One line per run: what it measured and what it costs, for the requester to choose by."""
    cost = usd(run.cost_per_1000_cases)
    parts = [
        f"pass rate {run.pass_rate * 100:.1f} %",
        f"{cost} per 1,000 cases" if cost else "unpriced",
        f"p50 {run.latency_p50_ms} ms" if run.latency_p50_ms is not None else "latency unknown",
    ]
    return f"#{run.id} {run.suite}, {run.finished}: {', '.join(parts)}"
