"""The 2020 Tanjungpinang story, replayed through the services as real movements.

Used by `seed_demo`. Every figure is deterministic, so the tests can check the
story: the store runs dry in early July 2020, Tanjungpinang asks Ditjen Dukcapil for
12,000 blanks through the province, 1,000 arrive on loan from Batam, and Ditjen
allocates 6,000, which arrive in September, before the Pilkada of 9 December 2020
(the request's cycle: demo.supply).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from blanko import access, services
from blanko.models import Delivery, Movement, Office, StaffProfile
from blanko.selectors import stock_on_hand
from config.tooling.demo import supply

D = datetime.date
Cause = Movement.Cause
FIRST_BAST = "470/0112/DUK/I/2020"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    office_code: str | None
    full_name: str
    staff: bool = False
    superuser: bool = False
    region_code: str = ""  # a province's users, with no office
    national: bool = False  # Ditjen's users, with no office and no region


DEMO_USERS = (
    DemoUser("petugas", "petugas-siblanko", access.OPERATOR, "2172", "Rina Petugas Loket"),
    DemoUser("supervisor", "supervisor-siblanko", access.SUPERVISOR, "2172", "Hendra Kabid"),
    DemoUser("admin", "admin-siblanko", access.ADMINISTRATOR, "2172", "Admin Dukcapil",
             staff=True, superuser=True),
    DemoUser("batam", "batam-siblanko", access.SUPERVISOR, "2171", "Supervisor Batam"),
    DemoUser("provinsi", "provinsi-siblanko", access.VIEWER, None, "Peninjau Provinsi Kepri",
             region_code="21"),
    DemoUser("kepri", "kepri-siblanko", access.PROVINCE, None,
             "Koordinator Dukcapil Provinsi Kepri", region_code="21"),
    DemoUser("ditjen", "ditjen-siblanko", access.NATIONAL, None,
             "Alokator Ditjen Dukcapil", national=True),
)


# Letterhead fields for the printed reports; the people are fictitious.
OFFICE_DETAILS = {
    "2172": ("Kota Tanjungpinang", "Jl. Basuki Rahmat No. 1, Tanjungpinang, Kepulauan Riau",
             "Drs. Raja Hendra Saputra, M.Si.", "19700512 199503 1 002"),
    "2171": ("Kota Batam", "Jl. Engku Putri, Batam Centre, Batam, Kepulauan Riau",
             "Dr. Ahmad Fadillah, S.E., M.M.", "19720310 199803 1 004"),
    # The five kabupaten of the province, which live only in the present (demo.province).
    "2101": ("Kabupaten Bintan", "Kompleks Perkantoran Bandar Seri Bentan, Bintan, "
             "Kepulauan Riau", "Tengku Irwansyah, S.Sos., M.Si.", "19750823 200003 1 003"),
    "2102": ("Kabupaten Karimun", "Jl. Poros No. 5, Tanjung Balai Karimun, Kepulauan Riau",
             "Hj. Nurhayati, S.H., M.H.", "19740114 199903 2 001"),
    "2103": ("Kabupaten Natuna", "Jl. Soekarno-Hatta, Ranai, Natuna, Kepulauan Riau",
             "Wan Zulkifli, S.E.", "19780605 200212 1 002"),
    "2104": ("Kabupaten Lingga", "Jl. Istana Damnah, Daik, Lingga, Kepulauan Riau",
             "Raja Suryani, S.Pd., M.M.", "19760930 200112 2 004"),
    "2105": ("Kabupaten Kepulauan Anambas", "Jl. Hang Tuah, Tarempa, Kepulauan Anambas, "
             "Kepulauan Riau", "Hasanudin, S.IP.", "19800217 200501 1 006"),
}
# Islands far from Jakarta wait longer for Ditjen's boxes (the default is 30 days).
# Batam's letters, the province's largest, take Ditjen two months (Tanjungpinang's took
# 73 days in 2020): with its stock of about 45 days (demo.plan) and the request it has
# just made, that is what gives it the daily print quota (demo.plan, WAITING_REQUESTS).
LEAD_TIME_DAYS = {"2103": 45, "2104": 35, "2105": 45, "2171": 60}


def ensure_offices() -> dict[str, Office]:
    offices = {}
    for code, (name, address, head_name, head_nip) in OFFICE_DETAILS.items():
        office = Office.objects.filter(code=code).first()
        office = office or services.create_office(code=code, name=name)
        if not office.address:
            office.address, office.head_name, office.head_nip = address, head_name, head_nip
            office.lead_time_days = LEAD_TIME_DAYS.get(code, office.lead_time_days)
            office.save(update_fields=["address", "head_name", "head_nip", "lead_time_days"])
        offices[code] = office
    return offices


def ensure_users(offices: dict[str, Office]) -> dict[str, User]:
    users = {}
    for spec in DEMO_USERS:
        first, _, last = spec.full_name.partition(" ")
        user, created = User.objects.update_or_create(
            username=spec.username,
            defaults={"first_name": first, "last_name": last, "is_staff": spec.staff,
                      "is_superuser": spec.superuser},
        )
        if created:
            user.set_password(spec.password)
            user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=spec.role)])
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={"office": offices.get(spec.office_code) if spec.office_code else None,
                      "region_code": spec.region_code, "national": spec.national},
        )
        users[spec.username] = User.objects.get(pk=user.pk)  # fresh permission cache
    return users


def weekdays(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _daily_use(day: datetime.date, base: int) -> int:
    # A repeatable wobble around the base: busier on Mondays, quieter on Fridays.
    return base + (5, 2, 0, -1, -4)[day.weekday()] + (day.day % 3) - 1


def _issue_days(office, operator, start, end, base, *, stop_when_empty=True):
    causes = list(Cause.values)
    last_day = None
    for number, day in enumerate(weekdays(start, end)):
        available = stock_on_hand(office=office)
        if available == 0 and stop_when_empty:
            break
        quantity = min(_daily_use(day, base), available)
        services.post_movement(
            from_location=services.office_location(office, "stock"),
            to_location=services.office_location(office, "issued"), quantity=quantity,
            reason=Movement.Reason.ISSUE, by=operator, occurred_on=day,
            reference=f"Rekap cetak {day:%d-%m-%Y}",
        )
        if day.weekday() == 4 and stock_on_hand(office=office) > 0:
            services.spoil_blank(office=office, by=operator, cause=causes[number % 4],
                                 occurred_on=day, reference=f"Rekap cetak {day:%d-%m-%Y}")
        last_day = day
    return last_day


@transaction.atomic
def replay_2020_story(offices: dict[str, Office], users: dict[str, User]) -> bool:
    """Posts the story once. Returns False when it is already there."""
    if Delivery.objects.filter(bast_number=FIRST_BAST).exists():
        return False
    tpi, batam = offices["2172"], offices["2171"]
    admin, operator, supervisor = users["admin"], users["petugas"], users["supervisor"]
    batam_supervisor = users["batam"]

    # Postings are made in date order per office, so that each movement's
    # "balance after" reads naturally down the ledger.
    services.receive_allocation(office=batam, quantity=12_000, reference="470/0087/DUK/II/2020",
                                by=admin, occurred_on=D(2020, 2, 3))
    _issue_days(batam, batam_supervisor, D(2020, 2, 4), D(2020, 7, 10), 30)

    # Tanjungpinang: the opening stock of the year, then daily printing until it runs dry.
    services.receive_allocation(office=tpi, quantity=2_000, reference=FIRST_BAST, by=admin,
                                occurred_on=D(2020, 1, 6), serial_start="2172-20-000001",
                                serial_end="2172-20-002000")
    _issue_days(tpi, operator, D(2020, 1, 7), D(2020, 3, 13), 19)
    services.receive_from_province(office=tpi, quantity=500, reference="027/BAST/KEPRI/III/2020",
                                   by=admin, occurred_on=D(2020, 3, 16))
    _issue_days(tpi, operator, D(2020, 3, 16), D(2020, 6, 30), 19)
    services.destroy_spoiled(office=tpi, quantity=20, number="BA-PMS/01/VI/2020", by=supervisor,
                             destroyed_on=D(2020, 6, 30), witnesses="Inspektorat Kota; Kabid PIAK")
    _issue_days(tpi, operator, D(2020, 7, 1), D(2020, 7, 10), 19)
    # The day after the store ran dry, the office writes to Ditjen, through the province.
    blank_request = supply.ask_in_july_2020(office=tpi, users=users)

    # July: the store is empty. Batam lends 1,000 blanks, due back by the end of
    # November (before its own Pilkada rush); they travel, then arrive.
    loan = services.lend_to_office(lender=batam, borrower=tpi, quantity=1_000,
                                   reference="470/215/DUKCAPIL-BTM/VII/2020",
                                   by=batam_supervisor, occurred_on=D(2020, 7, 13),
                                   due_on=D(2020, 11, 30))
    services.confirm_receipt(shipment=loan.shipments.get(), quantity=1_000, by=supervisor,
                             occurred_on=D(2020, 7, 14))
    _issue_days(batam, batam_supervisor, D(2020, 7, 13), D(2020, 11, 17), 30)
    _issue_days(tpi, operator, D(2020, 7, 15), D(2020, 9, 11), 16)

    # Ditjen allocates 6,000 of the 12,000 in August; they arrive on 14 September,
    # ahead of the Pilkada.
    supply.ship_in_september_2020(blank_request=blank_request, users=users)
    _issue_days(tpi, operator, D(2020, 9, 15), D(2020, 11, 13), 24)

    # November: half of the loan goes back to Batam, then printing goes on.
    services.repay_loan(loan=loan, quantity=500, by=supervisor, occurred_on=D(2020, 11, 16))
    services.confirm_receipt(shipment=loan.shipments.get(kind="repayment"), quantity=500,
                             by=batam_supervisor, occurred_on=D(2020, 11, 18))
    _issue_days(batam, batam_supervisor, D(2020, 11, 18), D(2020, 11, 30), 30)
    _issue_days(tpi, operator, D(2020, 11, 16), D(2020, 11, 30), 24)
    services.record_stock_count(office=tpi, counted_quantity=stock_on_hand(office=tpi) - 2,
                                by=supervisor, counted_on=D(2020, 11, 30),
                                reason="2 blanko cacat pabrik ditemukan saat opname")
    for month in range(1, 11):
        services.close_month(office=tpi, month=D(2020, month, 1), by=supervisor)
    return True

