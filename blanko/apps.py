from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlankoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blanko"
    verbose_name = _("Buku besar blanko")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from blanko.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="blanko_roles")
