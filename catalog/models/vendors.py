from django.db import models
from simple_history.models import HistoricalRecords

from catalog.choices import ApiKind, PriceSource


class Vendor(models.Model):
    """A company whose models we run; also how to ask it which models exist and what they cost.

    The API key itself never lives here: `api_key_env` names the environment variable holding it.
    """

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    website = models.URLField(blank=True)
    api_kind = models.CharField(max_length=20, choices=ApiKind.choices, default=ApiKind.NONE)
    api_base_url = models.URLField(
        blank=True, help_text="Ends with the API version, e.g. https://api.openai.com/v1"
    )
    api_key_env = models.CharField(
        max_length=80, blank=True, help_text="Name of the environment variable holding the key"
    )
    status_page_url = models.URLField(blank=True, help_text="Atlassian Statuspage compatible")
    price_source = models.CharField(
        max_length=20, choices=PriceSource.choices, default=PriceSource.MANUAL
    )
    price_source_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
