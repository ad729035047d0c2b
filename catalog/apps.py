from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Model catalog"

    def ready(self) -> None:
        # Connects the receivers that announce models leaving a unit's allow-list.
        from catalog import counts
        from catalog.services import allowlist  # noqa: F401

        counts.connect()
