"""The catalog pages people browse: the model list and one model."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from catalog.choices import ModelStatus
from catalog.models import AIModel

PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    """The catalog: approved models first, searchable by name, slug or vendor model id."""
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    models = AIModel.objects.select_related("vendor").prefetch_related("specialties")
    if query:
        models = models.filter(
            Q(name__icontains=query)
            | Q(slug__icontains=query)
            | Q(vendor_model_id__icontains=query)
        )
    status = request.GET.get("status", ModelStatus.APPROVED)
    if status in ModelStatus.values:
        models = models.filter(status=status)
    page = Paginator(models.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/home.html",
        {"page": page, "query": query, "status": status, "statuses": ModelStatus.choices},
    )


def model_detail(request: HttpRequest, slug: str) -> HttpResponse:
    model = get_object_or_404(
        AIModel.objects.select_related("vendor", "successor").prefetch_related("specialties"),
        slug=slug,
    )
    return render(request, "catalog/model_detail.html", {"model": model})
