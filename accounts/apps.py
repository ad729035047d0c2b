from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and business units"

    def ready(self) -> None:
        from accounts import role_audit

        role_audit.connect()
