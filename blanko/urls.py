from __future__ import annotations

from django.urls import path

from blanko import views
from blanko.views import loans, rebalancing, stock_work, supply_network, supply_office

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
    # The lender's answer to the province's rebalancing proposal (blanko.views.rebalancing).
    # "setujui": approving a proposal; "terima" is for receiving blanks.
    path("kantor/<str:code>/pemerataan/<int:pk>/setujui/", rebalancing.rebalancing_accept,
         name="rebalancing_accept"),
    path("kantor/<str:code>/pemerataan/<int:pk>/tolak/", rebalancing.rebalancing_decline,
         name="rebalancing_decline"),
    path("kantor/<str:code>/opname/", stock_work.stock_count, name="stock_count"),
    path("kantor/<str:code>/pemusnahan/baru/", stock_work.destruction_create,
         name="destruction_create"),
    # The office's requests for blanks to Ditjen (blanko.views.supply_office).
    path("kantor/<str:code>/permohonan-blanko/", supply_office.blank_request_list,
         name="blank_request_list"),
    path("kantor/<str:code>/permohonan-blanko/baru/", supply_office.blank_request_create,
         name="blank_request_create"),
    path("kantor/<str:code>/permohonan-blanko/<int:pk>/", supply_office.blank_request_detail,
         name="blank_request_detail"),
    path("kantor/<str:code>/permohonan-blanko/<int:pk>/surat/",
         supply_office.blank_request_letter, name="blank_request_letter"),
    path("kantor/<str:code>/permohonan-blanko/<int:pk>/batal/",
         supply_office.blank_request_cancel, name="blank_request_cancel"),
    # The province coordinator's and the national allocator's pages
    # (blanko.views.supply_network).
    path("provinsi/<str:province>/permohonan-blanko/", supply_network.province_requests,
         name="province_requests"),
    path("provinsi/<str:province>/permohonan-blanko/<int:pk>/teruskan/",
         supply_network.province_forward, name="province_forward"),
    path("pusat/", supply_network.central_home, name="central_home"),
    path("pusat/terima/", supply_network.central_receive, name="central_receive"),
    path("pusat/permohonan/<int:pk>/alokasi/", supply_network.central_allocate,
         name="central_allocate"),
    path("pusat/kiriman/<int:pk>/batal/", supply_network.central_cancel,
         name="central_cancel"),
    path("pusat/permohonan/<int:pk>/kirim/", supply_network.central_dispatch,
         name="central_dispatch"),
]
