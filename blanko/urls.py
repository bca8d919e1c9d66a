from __future__ import annotations

from django.urls import path

from blanko import views
from blanko.views import loans, stock_work

app_name = "blanko"

urlpatterns = [
    path("kantor/", views.office_list, name="office_list"),
    path("kantor/<str:code>/stok/", views.stock, name="stock"),
    path("kantor/<str:code>/mutasi/<int:pk>/balik/", views.movement_reverse,
         name="movement_reverse"),
    path("kantor/<str:code>/pinjaman/", loans.loan_list, name="loan_list"),
    path("kantor/<str:code>/pinjaman/pinjamkan/", loans.loan_lend, name="loan_lend"),
    path("kantor/<str:code>/pinjaman/mitra/", loans.loan_partner, name="loan_partner"),
    path("kantor/<str:code>/pinjaman/<int:pk>/kembalikan/", loans.loan_repay,
         name="loan_repay"),
    path("kantor/<str:code>/pinjaman/<int:pk>/jatuh-tempo/", loans.loan_due_date,
         name="loan_due_date"),
    path("kantor/<str:code>/pengiriman/<int:pk>/terima/", loans.shipment_receive,
         name="shipment_receive"),
    path("kantor/<str:code>/pengiriman/<int:pk>/batal/", loans.shipment_cancel,
         name="shipment_cancel"),
    path("kantor/<str:code>/opname/", stock_work.stock_count, name="stock_count"),
    path("kantor/<str:code>/pemusnahan/baru/", stock_work.destruction_create,
         name="destruction_create"),
]
