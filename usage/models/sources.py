"""Where usage comes from: a gateway or a vendor organization, and its accounts per unit."""

from django.db import models

from usage.choices import SourceKind


class UsageSource(models.Model):
    """A LiteLLM proxy, an OpenAI or Anthropic organization (admin API), or CSV imports.

    `base_url` is a LiteLLM proxy's root, or a vendor's API root ending with `/v1`; the admin key
    lives in the environment variable named by `key_env`, never in the database.
    """

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    base_url = models.URLField(max_length=300, blank=True)
    key_env = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UsageAccount(models.Model):
    """A unit's identity at a source: LiteLLM team_id, OpenAI project_id, Anthropic
    workspace_id, or the account column of an imported CSV."""

    source = models.ForeignKey(UsageSource, on_delete=models.CASCADE, related_name="accounts")
    external_id = models.CharField(max_length=200)
    unit = models.ForeignKey(
        "accounts.BusinessUnit", on_delete=models.CASCADE, related_name="usage_accounts"
    )

    class Meta:
        ordering = ["source__name", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="usage_account_unique_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.external_id} → {self.unit}"
