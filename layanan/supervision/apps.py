from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """Dashboards, forecast, rollup and reports: reads blanko and layanan, owns no table."""

    name = "layanan.supervision"
    label = "supervision"
    verbose_name = _("Pengawasan stok")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from layanan.supervision.aggregates import register_sqlite_functions

        connection_created.connect(register_sqlite_functions,
                                   dispatch_uid="layanan_sqlite_functions")

        # A request for blanks stores the dashboard's figures of its day; blanko cannot
        # compute them (it may not import this package), so it asks through this slot.
        from blanko.supply_figures import register_figures_provider
        from layanan.supervision.dashboard import request_figures

        register_figures_provider(request_figures)

        # The lender's answer to a rebalancing proposal shows the minimum it keeps, the
        # province plan's rule: the same kind of slot.
        from blanko.supply_figures import register_lender_figures_provider
        from layanan.supervision.rebalancing import lender_figures

        register_lender_figures_provider(lender_figures)

        # The print queue (layanan) shows the daily print quota, a rule of this package:
        # the same kind of slot, in layanan.advice.
        from layanan.advice import register_quota_provider
        from layanan.supervision.quota import office_quota

        register_quota_provider(office_quota)
