"""The supervisor's pages: the dashboard, the rollup and the monthly reports.

Their URL names stay in the `layanan` namespace (config/urls.py joins the two lists).
"""

from __future__ import annotations

from django.urls import path

from layanan.supervision.views import dashboard, planning, rebalancing, reports

urlpatterns = [
    path("kantor/<str:code>/dasbor/", dashboard.dashboard, name="dashboard"),
    path("dasbor/rekap/", dashboard.office_rollup, name="rollup"),
    path("pusat/rencana-alokasi/", planning.allocation_plan, name="allocation_plan"),
    path("kantor/<str:code>/laporan/", reports.report_index, name="report_index"),
    path("kantor/<str:code>/laporan/<int:year>/<int:month>/", reports.monthly_report,
         name="report"),
    path("kantor/<str:code>/laporan/<int:year>/<int:month>.xlsx", reports.monthly_report,
         {"fmt": "xlsx"}, name="report_xlsx"),
    path("kantor/<str:code>/laporan/<int:year>/<int:month>.csv", reports.monthly_report,
         {"fmt": "csv"}, name="report_csv"),
    path("kantor/<str:code>/laporan/<int:year>/<int:month>/tutup/", reports.close_month,
         name="close_month"),
    path("kantor/<str:code>/pemusnahan/<int:pk>/berita-acara/", reports.destruction_report,
         name="destruction_report"),
    # The province coordinator's rebalancing plan (layanan.supervision.rebalancing).
    path("provinsi/<str:province>/pemerataan/", rebalancing.rebalancing_plan,
         name="rebalancing_plan"),
]
