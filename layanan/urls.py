from __future__ import annotations

from django.urls import path

from layanan.views import dashboard, privacy, public, reports, staff

app_name = "layanan"

urlpatterns = [
    path("kantor/<str:code>/layanan/", staff.request_list, name="list"),
    path("kantor/<str:code>/layanan/daftar/", staff.register, name="register"),
    path("kantor/<str:code>/layanan/antrean/", staff.queue, name="queue"),
    path("kantor/<str:code>/layanan/<int:pk>/", staff.request_detail, name="detail"),
    path("kantor/<str:code>/layanan/<int:pk>/<slug:action>/", staff.request_action,
         name="action"),
    path("kantor/<str:code>/log-akses/", privacy.access_log, name="access_log"),
    path("kantor/<str:code>/log-akses/ekspor/", privacy.subject_export, name="subject_export"),
    path("layanan/daring/", public.online_submit, name="online_submit"),
    path("layanan/daring/terkirim/", public.online_done, name="online_done"),
    path("layanan/cek-status/", public.status_check, name="status_check"),
    path("stok-publik/", public.public_stock, name="public_stock"),
    path("kantor/<str:code>/dasbor/", dashboard.dashboard, name="dashboard"),
    path("dasbor/rekap/", dashboard.office_rollup, name="rollup"),
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
]
