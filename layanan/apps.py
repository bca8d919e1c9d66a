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
        from django.db.backends.signals import connection_created

        from layanan.aggregates import register_sqlite_functions

        connection_created.connect(register_sqlite_functions,
                                   dispatch_uid="layanan_sqlite_functions")
        # blanko's seed_demo must not import layanan, so layanan hooks itself in.
        from blanko import demo
        from layanan.demo import seed_key_dates, seed_requests

        for seeder in (seed_requests, seed_key_dates):
            if seeder not in demo.EXTRA_SEEDERS:
                demo.EXTRA_SEEDERS.append(seeder)
