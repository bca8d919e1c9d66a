from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayananConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layanan"
    verbose_name = _("Layanan KTP-el")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from layanan.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="layanan_roles")
