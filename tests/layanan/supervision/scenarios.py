"""The hand-computed histories the supervision tests read, and their helpers.

Each test module turns a history into a fixture of its own (a line or two), so that
the forecast, rollup, charts, dashboard, report and export tests share one worked-out
answer instead of each keeping a copy.
"""

from __future__ import annotations

import datetime
import itertools
import zoneinfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from blanko import access
from blanko import services as ledger
from blanko.models import Movement
from blanko.selectors import stock_on_hand
from layanan import services as layanan_services
from layanan.models import KeyDate, ServiceRequest
from layanan.rules import required_documents
from tests.factories import make_user

D = datetime.date
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
Kind = ServiceRequest.Kind
Cause = Movement.Cause
AS_OF = D(2024, 3, 31)
LATER = D(2024, 4, 5)  # the last day of the March history, used as "today"
ADULT_BIRTH = D(1980, 5, 17)
MAY = D(2024, 5, 1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=JAKARTA)


def post_use(office, by, day, quantity, *, reason=Movement.Reason.ISSUE, cause=""):
    """A daily recap posting: blanks out of the store with no request behind them."""
    return ledger.post_movement(
        from_location=ledger.office_location(office, "stock"),
        to_location=ledger.office_location(office, "spoiled" if cause else "issued"),
        quantity=quantity, reason=reason, cause=cause, by=by, occurred_on=day,
        reference=f"Rekap {day}",
    )


def use(office, by, day, quantity, *, cause=""):
    """A daily recap posting: an issue, or a spoil when a cause is given."""
    return post_use(office, by, day, quantity, cause=cause,
                    reason=Movement.Reason.SPOIL if cause else Movement.Reason.ISSUE)


class Requests:
    """Registers requests at fixed moments, with a fresh NIK each time."""

    serials = itertools.count(1)  # NIKs stay unique across offices within a test

    def __init__(self, office, operator):
        self.office, self.operator = office, operator

    def submit(self, kind, when, *, born=ADULT_BIRTH, **kwargs):
        serial = next(self.serials)
        nik = f"217201{born.day:02d}{born:%m%y}{serial:04d}"
        if kind == Kind.LOST:
            kwargs["police_report_number"] = f"STPL/{serial}/2024"
        return layanan_services.submit_request(
            office=self.office, nik=nik, full_name="Warga Uji", kind=kind,
            channel=ServiceRequest.Channel.COUNTER, by=self.operator,
            married=kind != Kind.NEW, at=when, **kwargs,
        )

    def verify(self, request, when):
        return layanan_services.verify_request(
            request=request, by=self.operator, biometrics_recorded=True,
            documents=dict.fromkeys(required_documents(request.kind), True), at=when,
        )

    def print(self, request, when):
        return layanan_services.print_card(request=request, by=self.operator, at=when)

    def deliver(self, request, when):
        return layanan_services.deliver_request(request=request, by=self.operator, at=when)


def march(office, other_office, supervisor, other_supervisor) -> dict[str, ServiceRequest]:
    """The hand-computed history of early 2024, posted in date order.

    As of 31 March 2024:
    - stock = 1000 - 30 (lent 10 Jan) - 200 - 30 - 100 - 50 + 50 (reversed) - 40 - 1 (R1)
      - 4 - 1 (R2) - 22 = 572;
    - used in the 28 days 4-31 March = 100 + 40 + 1 + 4 + 1 + 22 = 168 (the 50 of
      10 March was reversed on 12 March; the 30 of 3 March is outside), so 6 a day.
    """
    operator = make_user(access.OPERATOR, office, username="petugas_skenario")
    r = Requests(office, operator)
    ledger.receive_allocation(office=office, quantity=1000, reference="BAST/1", by=supervisor,
                              occurred_on=D(2024, 1, 2))
    ledger.receive_allocation(office=other_office, quantity=500, reference="BAST/2",
                              by=other_supervisor, occurred_on=D(2024, 1, 2))
    ledger.lend_to_partner(office=office, partner_code="2101", quantity=30, reference="PJ/1",
                           by=supervisor, occurred_on=D(2024, 1, 10))
    requests = {}
    requests["R9"] = r.submit(Kind.DAMAGED, at(D(2024, 2, 1), 8))
    r.verify(requests["R9"], at(D(2024, 2, 1), 11))
    post_use(office, supervisor, D(2024, 2, 15), 200)
    post_use(office, supervisor, D(2024, 3, 3), 30)
    post_use(office, supervisor, D(2024, 3, 4), 100)
    mistake = post_use(office, supervisor, D(2024, 3, 10), 50)
    ledger.post_movement(from_location=mistake.to_location, to_location=mistake.from_location,
                         quantity=50, reason=Movement.Reason.REVERSAL, by=supervisor,
                         occurred_on=D(2024, 3, 12), reverses=mistake, note="salah input")
    # R7 turns 17 on 1 May (before the key date), R8 on 15 August (after it).
    requests["R7"] = r.submit(Kind.NEW, at(D(2024, 3, 15), 8), born=D(2007, 5, 1))
    r.verify(requests["R7"], at(D(2024, 3, 15), 10))
    requests["R8"] = r.submit(Kind.NEW, at(D(2024, 3, 16), 8), born=D(2007, 8, 15))
    requests["R1"] = r.submit(Kind.NEW, at(D(2024, 3, 18), 9), born=D(2000, 1, 1))
    r.verify(requests["R1"], at(D(2024, 3, 18), 11))
    requests["R2"] = r.submit(Kind.DAMAGED, at(D(2024, 3, 19), 9))
    r.verify(requests["R2"], at(D(2024, 3, 19), 13))
    post_use(office, supervisor, D(2024, 3, 20), 40)
    r.print(requests["R1"], at(D(2024, 3, 20), 11))
    r.deliver(requests["R1"], at(D(2024, 3, 21), 11))
    requests["R3"] = r.submit(Kind.LOST, at(D(2024, 3, 25), 8))
    r.print(requests["R2"], at(D(2024, 3, 25), 13))
    r.verify(requests["R3"], at(D(2024, 3, 25), 14))
    r.deliver(requests["R2"], at(D(2024, 3, 25), 14))
    post_use(office, supervisor, D(2024, 3, 25), 4, reason=Movement.Reason.SPOIL,
             cause=Movement.Cause.PRINT_FAILED)
    requests["R4"] = r.submit(Kind.DATA_CHANGE, at(D(2024, 3, 26), 8), replaces_suket=True)
    r.verify(requests["R4"], at(D(2024, 3, 26), 9))
    requests["R5"] = r.submit(Kind.NEW, at(D(2024, 3, 27), 8), born=D(2000, 2, 2))
    r.verify(requests["R5"], at(D(2024, 3, 27), 8, 30))
    loan = ledger.lend_to_office(lender=other_office, borrower=office, quantity=70,
                                 reference="PJ/2", by=other_supervisor,
                                 occurred_on=D(2024, 3, 28))
    requests["R10"] = r.submit(Kind.DAMAGED, at(D(2024, 3, 29), 8))
    r.verify(requests["R10"], at(D(2024, 3, 29), 11))
    requests["R6"] = r.submit(Kind.RELOCATION, at(D(2024, 3, 30), 8))
    post_use(office, supervisor, D(2024, 3, 31), 22)
    # After the as-of date: visible today, not on 31 March.
    r.print(requests["R10"], at(D(2024, 4, 2), 10))
    ledger.confirm_receipt(shipment=loan.shipments.get(), quantity=20, by=supervisor,
                           occurred_on=D(2024, 4, 3))
    post_use(office, supervisor, D(2024, 4, 5), 10)
    KeyDate.objects.create(name="Pemilu uji", date=D(2024, 7, 30), office=office)
    KeyDate.objects.create(name="Nasional nanti", date=D(2024, 8, 30))
    KeyDate.objects.create(name="Sudah lewat", date=D(2024, 3, 1))
    KeyDate.objects.create(name="Kantor lain", date=D(2024, 4, 15), office=other_office)
    return requests


JUNE_AS_OF = D(2024, 6, 30)
JUNE_TODAY = D(2024, 7, 5)


def june(office, other_office, supervisor, other_supervisor) -> dict:
    """A stock-out inside the use window, and a loan due before the key date.

    As of 30 June 2024 (window 3-30 June), worked out by hand:
    - 2 May: 300 from Ditjen; 20 May: 100 used (outside the window): 200 left.
    - 3-12 June: 20 used a day, 200 in all: empty at the end of 12 June.
    - 13-20 June: empty, nothing comes in: 8 days left out.
    - 21 June: 400 borrowed from Kab. Bintan (2101, outside SiBlanko), due 15 July; none
      used that day. It counts: the store started empty, but blanks came in.
    - 22-30 June: 10 used a day, 90 in all. 24 June: Batam lends 50, due 31 August (after
      the key date), received 25 June. 28 June: 100 paid back to Bintan.
    - Stock = 400 + 50 - 100 - 90 = 260. Used = 200 + 90 = 290 over 10 + 1 + 9 = 20
      counted days: 14.5 a day (the old method: 290 / 28 = 10.36).
    - Days of cover = 260 / 14.5 = 17.93, shown 17.9; stock-out 30 June + 17 = 17 July.
      Ask Ditjen by 17 July - 30 days' lead time - 14 = 3 June: 27 days past on 30 June.
    - Key date "Pilkada uji" 31 July, 31 days on. Demand = 14.5 x 31 = 449.5 -> 450.
      Owed on loans due by then: Bintan 400 - 100 = 300 (Batam's 50 falls due later).
    - Shortfall = 0 waiting + 450 + 0 pemula + 300 owed - 260 stock - 0 in transit = 490.
      Safety = 14.5 x 14 = 203; ask for 490 + 203 = 693 -> 700.
    After the as-of date (seen "today", 5 July, not on 30 June): 1 July 10 used, 2 July 15.
    """
    ledger.receive_allocation(office=office, quantity=300, reference="BAST/VI", by=supervisor,
                              occurred_on=D(2024, 5, 2))
    ledger.receive_allocation(office=other_office, quantity=500, reference="BAST/BTM",
                              by=other_supervisor, occurred_on=D(2024, 5, 2))
    post_use(office, supervisor, D(2024, 5, 20), 100)
    for day in range(3, 13):
        post_use(office, supervisor, D(2024, 6, day), 20)
    bintan = ledger.borrow_from_partner(office=office, partner_code="2101", quantity=400,
                                        reference="PJ/BINTAN/VI", by=supervisor,
                                        occurred_on=D(2024, 6, 21), due_on=D(2024, 7, 15))
    for day in range(22, 31):
        post_use(office, supervisor, D(2024, 6, day), 10)
        if day == 24:
            batam = ledger.lend_to_office(lender=other_office, borrower=office, quantity=50,
                                          reference="PJ/BATAM/VI", by=other_supervisor,
                                          occurred_on=D(2024, 6, 24), due_on=D(2024, 8, 31))
        if day == 25:
            ledger.confirm_receipt(shipment=batam.shipments.get(), quantity=50, by=supervisor,
                                   occurred_on=D(2024, 6, 25))
        if day == 28:
            ledger.repay_loan(loan=bintan, quantity=100, by=supervisor,
                              occurred_on=D(2024, 6, 28))
    post_use(office, supervisor, D(2024, 7, 1), 10)
    post_use(office, supervisor, D(2024, 7, 2), 15)
    KeyDate.objects.create(name="Pilkada uji", date=D(2024, 7, 31), office=office)
    return {"bintan": bintan, "batam": batam}


SUPPLY_AS_OF = D(2024, 6, 30)
SUPPLY_TODAY = D(2024, 7, 10)


def supply(office, other_office, supervisor, other_supervisor) -> dict:
    """Tanjungpinang asks Ditjen for blanks three times in 2024; the third request is
    allocated and partly dispatched on the as-of date (30 June), and Batam's loan is on
    its way. Worked out by hand:

    Central store ("00"): 20,000 procured on 2 January, 5,000 on 12 June.
    Requests of Tanjungpinang (submitted -> first receipt = lead time):
    - PB/2172/2024/0001: 5 Feb, 500 asked, forwarded 6 Feb, allocated 500 on 10 Feb,
      dispatched 20 Feb (BAST/PUSAT/2024/01), received 26 Feb: 21 days.
    - PB/2172/2024/0002: 1 Apr, 400, forwarded 2 Apr, allocated 400 on 5 Apr, dispatched
      25 Apr (BAST/PUSAT/2024/02), received 2 May: 31 days.
    - PB/2172/2024/0003: 3 Jun, 1,200 asked; the province forwards 1,000 on 4 Jun; Ditjen
      allocates 800 on 10 Jun and dispatches 300 on 14 Jun (BAST/PUSAT/2024/03); 100 of
      them received on 20 Jun: 17 days. After the as-of date: the other 200 received
      2 Jul, 500 dispatched 3 Jul (BAST/PUSAT/2024/04), 250 of them received 8 Jul.
    - PB/2172/2024/0004: 5 Jul, 600 asked, waiting at the province.
    Lead time as of 30 June: median of 17, 21, 31 = 21 days ("measured", 3 requests);
    as of 1 June: median of 21 and 31 = 26. Batam has no request: its province's, 21.

    Tanjungpinang's store: 26 Feb +500 (PB/0001) and +400 received directly
    (BAST/DITJEN/LANGSUNG), 15 Mar -400, 15 Apr -300, 2 May +400 (PB/0002), 20 May -100:
    500 at the end of 2 June. 3-30 June: 20 used every day (560), 20 June +100: stock on
    30 June = 500 - 560 + 100 = 40. The store held blanks every morning: 28 days count,
    average 560 / 28 = 20. Cover 40 / 20 = 2.0 days: stock-out 2 July. Ask Ditjen by
    2 July - 21 - 14 = 28 May: 33 days past on 30 June.
    28 June: Batam lends 60, due 30 September (after the key date), received 2 July.

    As of 30 June, key date "Pilkada uji" 31 August (62 days): demand 20 x 62 = 1,240.
    Incoming from Ditjen = allocated 800 - received 100 = 700 (500 not yet dispatched +
    200 on the way); loans on the way 60; nothing waiting, no pemula, nothing owed.
    Shortfall = 1,240 - 40 stock - 60 loans - 700 Ditjen = 440 (1,140 without the
    Ditjen line). Safety 20 x 14 = 280: ask for 440 + 280 = 720 -> 800.

    "Today" (10 July): 1 and 2 July 20 used each; stock 40 - 40 + 200 + 60 + 250 = 510.
    Incoming from Ditjen = 800 - 550 received = 250 (all on the way); no loan on the way.
    Central store: 25,000 - 500 - 400 - 300 - 500 = 23,300, of which none is reserved;
    on the way 250. June's report of "00": opening 19,100, +5,000 procured, -300
    dispatched, closing 23,800; on the way: 0 + 300 - 100 received = 200.
    """
    coordinator = make_user(access.PROVINCE, None, username="koordinator_kepri",
                            office__region="21")
    allocator = make_user(access.NATIONAL, None, username="alokator_ditjen",
                          office__national=True)
    ledger.receive_into_central_store(quantity=20_000, reference="KONTRAK/2024/01",
                                      by=allocator, occurred_on=D(2024, 1, 2))
    ledger.receive_allocation(office=other_office, quantity=500, reference="BAST/BTM/2024",
                              by=other_supervisor, occurred_on=D(2024, 1, 2))

    def cycle(asked, submitted, forwarded, allocated_on, allocated, *, forward_as=None,
              note=""):
        request = ledger.request_blanks(office=office, quantity=asked, by=supervisor,
                                        at=at(submitted, 9))
        ledger.forward_blank_request(blank_request=request, by=coordinator,
                                     quantity=forward_as, note=note, at=at(forwarded, 10))
        return ledger.allocate_blanks(blank_request=request, quantity=allocated, by=allocator,
                                      at=at(allocated_on, 11))

    def ship(request, quantity, bast, day):
        return ledger.dispatch_blanks(blank_request=request, quantity=quantity,
                                      reference=bast, by=allocator, occurred_on=day)

    def receive(shipment, quantity, day):
        ledger.confirm_receipt(shipment=shipment, quantity=quantity, by=supervisor,
                               occurred_on=day)

    first = cycle(500, D(2024, 2, 5), D(2024, 2, 6), D(2024, 2, 10), 500)
    receive(ship(first, 500, "BAST/PUSAT/2024/01", D(2024, 2, 20)), 500, D(2024, 2, 26))
    ledger.receive_allocation(office=office, quantity=400, reference="BAST/DITJEN/LANGSUNG",
                              by=supervisor, occurred_on=D(2024, 2, 26))
    post_use(office, supervisor, D(2024, 3, 15), 400)
    second = cycle(400, D(2024, 4, 1), D(2024, 4, 2), D(2024, 4, 5), 400)
    post_use(office, supervisor, D(2024, 4, 15), 300)
    receive(ship(second, 400, "BAST/PUSAT/2024/02", D(2024, 4, 25)), 400, D(2024, 5, 2))
    post_use(office, supervisor, D(2024, 5, 20), 100)
    third = cycle(1200, D(2024, 6, 3), D(2024, 6, 4), D(2024, 6, 10), 800, forward_as=1000,
                  note="Disesuaikan dengan kebutuhan provinsi")
    ledger.receive_into_central_store(quantity=5_000, reference="KONTRAK/2024/02",
                                      by=allocator, occurred_on=D(2024, 6, 12))
    shipped = ship(third, 300, "BAST/PUSAT/2024/03", D(2024, 6, 14))
    for day in range(3, 31):
        if day == 20:
            receive(shipped, 100, D(2024, 6, 20))
        post_use(office, supervisor, D(2024, 6, day), 20)
        if day == 28:
            loan = ledger.lend_to_office(lender=other_office, borrower=office, quantity=60,
                                         reference="PJ/BATAM/VI", by=other_supervisor,
                                         occurred_on=D(2024, 6, 28), due_on=D(2024, 9, 30))
    # After the as-of date: seen "today" (10 July), not on 30 June.
    post_use(office, supervisor, D(2024, 7, 1), 20)
    receive(shipped, 200, D(2024, 7, 2))
    ledger.confirm_receipt(shipment=loan.shipments.get(), quantity=60, by=supervisor,
                           occurred_on=D(2024, 7, 2))
    post_use(office, supervisor, D(2024, 7, 2), 20)
    receive(ship(third, 500, "BAST/PUSAT/2024/04", D(2024, 7, 3)), 250, D(2024, 7, 8))
    waiting = ledger.request_blanks(office=office, quantity=600, by=supervisor,
                                    at=at(D(2024, 7, 5), 9))
    KeyDate.objects.create(name="Pilkada uji", date=D(2024, 8, 31), office=office)
    return {"requests": [first, second, third, waiting], "coordinator": coordinator,
            "allocator": allocator, "loan": loan}


_serials = itertools.count(1)


def verified_request(office, operator, kind, day):
    serial = next(_serials)
    request = layanan_services.submit_request(
        office=office, nik=f"2172011705800{serial:03d}", full_name="Warga Uji", kind=kind,
        channel=ServiceRequest.Channel.COUNTER, by=operator, married=True,
        at=datetime.datetime(day.year, day.month, day.day, 8, tzinfo=JAKARTA),
    )
    return layanan_services.verify_request(
        request=request, by=operator, biometrics_recorded=True,
        documents=dict.fromkeys(required_documents(kind), True),
        at=datetime.datetime(day.year, day.month, day.day, 9, tzinfo=JAKARTA),
    )


def may(office, other_office, supervisor, other_supervisor) -> dict:
    """April and May 2024 at Tanjungpinang, with Batam on the other side of a loan.

    Opening of May: 1000 received - 100 issued - 5 spoiled = 895 (spoiled pile: 5).
    In:  Ditjen 500 + province 200 + borrowed 300 + repaid to us 50 + reversal 40 = 1090.
    Out: lent 150 + repaid by us 100 + issued (new 2, damaged 1, recap 60 + 40)
         + spoiled (print 3, encode 1, invalid 2) + count shortage 2 = 361.
    Closing: 895 + 1090 - 361 = 1624. Spoiled pile: 5 + 6 - 8 destroyed = 3.
    """
    operator = make_user(access.OPERATOR, office, username="petugas_laporan")
    ledger.receive_allocation(office=office, quantity=1000, reference="BAST/IV", by=supervisor,
                              occurred_on=D(2024, 4, 2))
    use(office, supervisor, D(2024, 4, 10), 100)
    use(office, supervisor, D(2024, 4, 12), 5, cause=Cause.DAMAGED)

    ledger.receive_allocation(office=office, quantity=500, reference="BAST/V", by=supervisor,
                              occurred_on=D(2024, 5, 2))
    ledger.receive_from_province(office=office, quantity=200, reference="PROV/V",
                                 by=supervisor, occurred_on=D(2024, 5, 3))
    borrowed = ledger.borrow_from_partner(office=office, partner_code="2101", quantity=300,
                                          reference="PJ/BINTAN", by=supervisor,
                                          occurred_on=D(2024, 5, 6))
    lent = ledger.lend_to_office(lender=office, borrower=other_office, quantity=150,
                                 reference="PJ/BATAM", by=supervisor, occurred_on=D(2024, 5, 7))
    ledger.confirm_receipt(shipment=lent.shipments.get(), quantity=150, by=other_supervisor,
                           occurred_on=D(2024, 5, 8))
    ledger.repay_loan(loan=borrowed, quantity=100, by=supervisor, occurred_on=D(2024, 5, 8))
    printed_on = datetime.datetime(2024, 5, 10, 10, tzinfo=JAKARTA)
    for kind in (Kind.NEW, Kind.NEW, Kind.DAMAGED):
        layanan_services.print_card(
            request=verified_request(office, operator, kind, D(2024, 5, 9)), by=operator,
            at=printed_on)
    layanan_services.record_spoiled_print(
        request=verified_request(office, operator, Kind.DAMAGED, D(2024, 5, 9)), by=operator,
        cause=Cause.ENCODE_FAILED, at=printed_on)
    use(office, supervisor, D(2024, 5, 13), 60)
    mistake = use(office, supervisor, D(2024, 5, 13), 40)
    ledger.post_movement(from_location=mistake.to_location, to_location=mistake.from_location,
                         quantity=40, reason=Movement.Reason.REVERSAL, by=supervisor,
                         occurred_on=D(2024, 5, 14), reverses=mistake, note="dobel")
    use(office, supervisor, D(2024, 5, 15), 3, cause=Cause.PRINT_FAILED)
    use(office, supervisor, D(2024, 5, 15), 2, cause=Cause.INVALID)
    ledger.destroy_spoiled(office=office, quantity=8, number="BA-PMS/01/V/2024", by=supervisor,
                           destroyed_on=D(2024, 5, 20), witnesses="Inspektorat; Kabid PIAK")
    ledger.record_stock_count(office=office, counted_quantity=stock_on_hand(office=office) - 2,
                              by=supervisor, counted_on=D(2024, 5, 28), reason="2 cacat")
    repayment = ledger.repay_loan(loan=lent, quantity=50, by=other_supervisor,
                                  occurred_on=D(2024, 5, 29))
    ledger.confirm_receipt(shipment=lent.shipments.get(kind="repayment"), quantity=50,
                           by=supervisor, occurred_on=D(2024, 5, 31))
    return {"operator": operator, "repayment": repayment}


def grow(office, by, operator, *, movements: int, requests: int) -> None:
    """A ledger and a queue of a chosen size, for the fixed-number-of-queries tests."""
    ledger.receive_allocation(office=office, quantity=10_000, reference=f"BAST/{office.code}",
                              by=by, occurred_on=D(2024, 1, 2))
    start = D(2024, 1, 3)
    for n in range(movements):
        post_use(office, by, start + datetime.timedelta(days=n % 85), 1 + n % 3)
    r = Requests(office, operator)
    for n in range(requests):
        day = D(2024, 3, 1) + datetime.timedelta(days=n % 25)
        request = r.submit(Kind.DAMAGED, at(day, 8))
        r.verify(request, at(day, 9))
        if n % 2:
            r.print(request, at(day, 10))
            r.deliver(request, at(day, 11))


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured.captured_queries)
