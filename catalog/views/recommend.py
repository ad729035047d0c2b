"""The right-sizing wizard: the API's recommendations as a page, judged by the same query rules."""

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict

from accounts.models import BusinessUnit
from catalog.api.rightsizing import RecommendationQuery
from catalog.choices import DataClassification
from catalog.models import Specialty
from catalog.services.rightsizing import recommend
from core.htmx import render_page, wants_fragment

# Query parameter → the form's visible label, so an error names the field the user sees.
LABELS = {
    "specialty": "Specialty",
    "monthly_input_tokens": "Monthly input tokens",
    "monthly_output_tokens": "Monthly output tokens",
    "cache_share": "Share of input from the cache",
    "min_context": "Minimum context",
    "data_classification": "Data classification",
    "business_unit": "Business unit",
    "min_score": "Quality floor",
}
EXCLUDED_SHOWN = 100


def _query(params: QueryDict) -> QueryDict:
    """The wizard's fields as given, empty ones left out (an empty optional field means unset);
    "Quality floor" may hold several task:score floors separated by commas."""
    query = QueryDict(mutable=True)
    for name in LABELS:
        values = [v.strip() for v in params.getlist(name) if v.strip()]
        if name == "min_score":
            values = [f.strip() for v in values for f in v.split(",") if f.strip()]
        if values:
            query.setlist(name, values)
    return query


def _errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Serializer errors by field name as plain messages (a ListField's per-item ones flattened)."""
    flat = {}
    for name, messages in errors.items():
        if isinstance(messages, dict):
            messages = [m for item in messages.values() for m in item]
        flat[name] = [str(m) for m in messages]
    return flat


def recommend_page(request: HttpRequest) -> HttpResponse:
    """`/recommend/?specialty=…`: ranked results and exclusions; without a specialty, the form."""
    query = _query(request.GET)
    submitted = bool(request.GET)
    context: dict[str, object] = {
        "current": query,
        "floors": ", ".join(query.getlist("min_score")),
        "submitted": submitted,
        "specialties": Specialty.objects.only("slug", "name"),
        "units": BusinessUnit.objects.only("slug", "name").order_by("name"),
        "classifications": DataClassification.choices,
        "current_classification": query.get("data_classification", DataClassification.INTERNAL),
    }
    status = 200
    errors: dict[str, list[str]] = {}
    if submitted:
        data = {**query.dict(), "min_score": query.getlist("min_score")}
        serializer = RecommendationQuery(data=data)
        if serializer.is_valid():
            found = recommend(
                serializer.need(viewer=request.user), limit=serializer.validated_data["limit"]
            )
            context |= {
                "results": found.results,
                "excluded": found.excluded[:EXCLUDED_SHOWN],
                "excluded_count": len(found.excluded),
            }
        else:
            errors = _errors(serializer.errors)
            context["error_lines"] = [(LABELS.get(n, n), " ".join(m)) for n, m in errors.items()]
            status = 400
    context["errors"] = errors
    if wants_fragment(request):
        # The form stays in place on a swap; its fields' messages travel out of band.
        context["field_errors"] = [(name, errors.get(name, [])) for name in LABELS]
    response = render_page(
        request,
        "catalog/recommend.html",
        "catalog/partials/recommend_results.html",
        context,
        status=status,
    )
    if wants_fragment(request):
        encoded = query.urlencode()
        response["HX-Push-Url"] = f"{request.path}?{encoded}" if encoded else request.path
    return response
