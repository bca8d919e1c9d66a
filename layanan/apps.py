from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayananConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layanan"
    verbose_name = _("Layanan KTP-el")
