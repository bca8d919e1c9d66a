from __future__ import annotations

from django.urls import path

from blanko import views

app_name = "blanko"

urlpatterns = [
    path("kantor/", views.office_list, name="office_list"),
    path("kantor/<str:code>/stok/", views.stock, name="stock"),
    path("kantor/<str:code>/mutasi/<int:pk>/balik/", views.movement_reverse,
         name="movement_reverse"),
]
