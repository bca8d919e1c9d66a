"""The demo's supply cycle: requests for blanks, the central store, allocation, dispatch.

Two parts, both through blanko.services:
- the 2020 story (`ask_in_july_2020`, `ship_in_september_2020`, called by demo.ledger
  between its postings): Tanjungpinang asks for 12,000 blanks on 3 July 2020, the day
  after its store ran dry; the province forwards the letter; Ditjen's central store gets
  6,000 from its August procurement and allocates all of them on 20 August (after 1
  August, so the dashboard of that day shows nothing coming yet); they leave on 10
  September under BAST 470/1290/DUK/IX/2020 and arrive on the 14th;
- today (`seed_waiting_requests`, called by demo.province on its first run): the
  central store holds a recent procurement of 2,500; Natuna's request waits at the
  province, Karimun's (3,000) and Bintan's (1,500) at Ditjen. Together these two ask
  for more than the store holds, so Ditjen's national allocation plan is short and
  shares it over two requests (first each floor need, then the rest in proportion),
  which shows both phases: with one request, or a store that could fill the older one,
  the plan would only hand it the store and hide why it shares;
- today too (`propose_rebalancing_today`, called by demo.province after the requests):
  the coordinator `kepri` sends the first proposal of the province's rebalancing plan
  of that day. The paces (demo.plan) make it Tanjungpinang, still on its 2020 stock
  with about 80 days of cover, lending to Bintan, with about five weeks since it lent
  300 to Natuna: 200 blanks on most days, the plan's figure of the day. It waits for
  Tanjungpinang's `supervisor`, a demo login, to accept or decline it on the loans page.

The requests carry the dashboard's figures of the day they were made (through
blanko.supply_figures, as the request form does), and "demo:" idempotency keys, by
which a later run finds them again and adds nothing. A proposal has no idempotency
key: one is sent only while the province has none, whatever its status since, so a
later run sends nothing, even once the lender has decided.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from blanko import services
from blanko.models import BlankRequest, Movement, Office, RebalancingProposal
from blanko.supply_figures import request_figures
from config.tooling.demo.plan import (
    CENTRAL_STOCK_AGO,
    CENTRAL_STOCK_QUANTITY,
    WAITING_REQUESTS,
    weekday_on_or_before,
)
from layanan.supervision.rebalancing import proposal_note, province_plan

D = datetime.date
KEY = "demo:"
STORY_REQUEST_KEY = f"{KEY}2172:2020-07-03:permohonan"
STORY_BAST = "470/1290/DUK/IX/2020"


def moment(day: datetime.date, hour: int) -> datetime.datetime:
    """`hour` o'clock on `day`, office time (Asia/Jakarta)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _figures(office: Office, day: datetime.date) -> dict | None:
    return request_figures(office=office, as_of=day)


# --- 2020 -------------------------------------------------------------------------------


def ask_in_july_2020(*, office: Office, users: dict[str, User]) -> BlankRequest:
    """3 July 2020: the store has been empty since the day before. The letter asks for
    12,000, enough for the Pilkada and the first months of 2021; the province forwards
    it unchanged on the 7th."""
    blank_request = services.request_blanks(
        office=office, quantity=12_000, by=users["supervisor"], needed_by=D(2020, 7, 31),
        note="Stok blanko habis sejak 2 Juli 2020; kebutuhan sampai Pilkada 9 Desember "
             "2020 dan semester I 2021.",
        figures=_figures(office, D(2020, 7, 3)), idempotency_key=STORY_REQUEST_KEY,
        at=moment(D(2020, 7, 3), 9))
    return services.forward_blank_request(
        blank_request=blank_request, by=users["kepri"],
        note="Diteruskan: stok Kota Tanjungpinang kosong menjelang Pilkada.",
        at=moment(D(2020, 7, 7), 10))


def ship_in_september_2020(*, blank_request: BlankRequest, users: dict[str, User]) -> None:
    """Ditjen's store receives 6,000 on 17 August and allocates all of them, half of what
    was asked, on the 20th; they leave on 10 September and arrive on the 14th."""
    ditjen = users["ditjen"]
    services.receive_into_central_store(
        quantity=6_000, reference="KONTRAK/027/PPK-DUKCAPIL/VIII/2020", by=ditjen,
        occurred_on=D(2020, 8, 17), note="Pengadaan blanko KTP-el tahap II 2020")
    blank_request = services.allocate_blanks(
        blank_request=blank_request, quantity=6_000, by=ditjen,
        note="Stok gudang pusat terbatas: seluruh stok bebas (6.000) dialokasikan.",
        at=moment(D(2020, 8, 20), 10))
    shipment = services.dispatch_blanks(
        blank_request=blank_request, quantity=6_000, reference=STORY_BAST, by=ditjen,
        occurred_on=D(2020, 9, 10), note="Nomor seri 2172-20-002001 s.d. 2172-20-008000.")
    services.confirm_receipt(shipment=shipment, quantity=6_000, by=users["supervisor"],
                             occurred_on=D(2020, 9, 14))


# --- Today ------------------------------------------------------------------------------


def _key(code: str, day: datetime.date, what: str) -> str:
    return f"{KEY}{code}:{day.isoformat()}:{what}"


def seed_waiting_requests(*, offices: dict[str, Office], users: dict[str, User],
                          recorders: dict[str, User], today: datetime.date,
                          codes: set[str]) -> int:
    """Stocks the central store (once), then asks for blanks for the offices of
    WAITING_REQUESTS among `codes` that have no demo request after 2020 yet. Returns
    the requests made."""
    ditjen, kepri = users["ditjen"], users["kepri"]
    if not Movement.objects.filter(reason=Movement.Reason.PROCUREMENT,
                                   idempotency_key__startswith=KEY).exists():
        stocked = weekday_on_or_before(today - datetime.timedelta(days=CENTRAL_STOCK_AGO))
        services.receive_into_central_store(
            quantity=CENTRAL_STOCK_QUANTITY, by=ditjen, occurred_on=stocked,
            reference=f"KONTRAK/014/PPK-DUKCAPIL/{stocked.year}",
            note="Pengadaan blanko KTP-el", idempotency_key=_key("00", stocked, "pengadaan"))
    made = 0
    for plan in (plan for plan in WAITING_REQUESTS if plan.code in codes):
        office = offices[plan.code]
        if BlankRequest.objects.filter(office=office, submitted_on__gt=D(2020, 12, 31),
                                       idempotency_key__startswith=KEY).exists():
            continue
        asked = weekday_on_or_before(today - datetime.timedelta(days=plan.asked))
        blank_request = services.request_blanks(
            office=office, quantity=plan.quantity, by=recorders[plan.code], note=plan.note,
            figures=_figures(office, asked), idempotency_key=_key(plan.code, asked, "permohonan"),
            at=moment(asked, 9))
        if plan.forwarded is not None:
            forwarded = max(asked, weekday_on_or_before(
                today - datetime.timedelta(days=plan.forwarded)))
            services.forward_blank_request(blank_request=blank_request, by=kepri,
                                           at=moment(forwarded, 14))
        made += 1
    return made


def propose_rebalancing_today(*, province_code: str, users: dict[str, User],
                              today: datetime.date) -> RebalancingProposal | None:
    """The coordinator sends the first proposal of the province's rebalancing plan of
    `today`, as the plan page's *Kirim usulan* does; nothing when the province already
    has a proposal (a later run) or the plan proposes nothing.

    `province_plan(...).proposals` is `rebalancing_plan`; the note is the one the plan
    page sends (`proposal_note`: the days of cover of the plan's lines)."""
    if RebalancingProposal.objects.filter(lender__code__startswith=province_code).exists():
        return None
    plan = province_plan(province_code=province_code, as_of=today)
    if not plan.proposals:
        return None
    first = plan.proposals[0]
    return services.propose_rebalancing(
        lender=first.lender, borrower=first.borrower, quantity=first.quantity,
        by=users["kepri"],
        note=proposal_note(plan=plan, lender=first.lender, borrower=first.borrower))
