from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlankoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blanko"
    verbose_name = _("Buku besar blanko")
