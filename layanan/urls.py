from __future__ import annotations

from django.urls import path

from layanan.views import privacy, public, staff

# The supervision pages (layanan.supervision.urls) share this namespace: config/urls.py
# joins both lists, because nothing in layanan may import supervision.
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
]
