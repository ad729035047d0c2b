from django.apps import AppConfig


class GatewaysConfig(AppConfig):
    """Whether the gateways a company runs enforce each unit's allow-list (DESIGN.md,
    "Gateways: decisions that hold")."""

    name = "gateways"
    verbose_name = "Gateways"
