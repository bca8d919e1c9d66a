"""seed_bulk: national-scale synthetic data that the ledger and the workflow accept."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F

from blanko import services as ledger
from blanko.models import Balance, Location, Movement, MovementHold, Office
from config.tooling.bulk import pick_regions, split
from layanan import services
from layanan.models import CardPrint, Counter, RequestEvent, ServiceRequest
from layanan.nik import parse_nik
from tests.factories import make_user
from tests.helpers import LEDGER_CLEAN, verify_ledger

Status = ServiceRequest.Status

pytestmark = pytest.mark.django_db


def seed(**options):
    defaults = {"offices": 4, "movements": 400, "requests": 300, "no_progress": True}
    call_command("seed_bulk", **{**defaults, **options})


def test_bulk_ledger_passes_verify_ledger():
    seed()
    assert LEDGER_CLEAN in verify_ledger()
    assert Movement.objects.count() == 400
    assert Office.objects.count() == 4
    assert not Balance.objects.filter(quantity__lt=0).exists()


def test_bulk_requests_cover_every_status_kind_and_channel():
    seed()
    assert ServiceRequest.objects.count() == 300
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(ServiceRequest.objects.values_list("kind", flat=True)) == set(
        ServiceRequest.Kind.values)
    assert set(ServiceRequest.objects.values_list("channel", flat=True)) == set(
        ServiceRequest.Channel.values)


def test_bulk_niks_are_valid_and_match_birth_date_and_sex():
    seed()
    for request in ServiceRequest.objects.all():
        info = parse_nik(request.nik, today=request.submitted_at.date())
        assert (info.birth_date, info.sex) == (request.birth_date, request.sex)
    assert not ServiceRequest.objects.values("nik").annotate(n=Count("id")).filter(n__gt=1)


def test_every_printed_request_has_one_successful_print_drawn_from_its_office():
    seed()
    printed = ServiceRequest.objects.filter(status__in=[Status.PRINTED, Status.DELIVERED])
    assert printed.exists()
    for request in printed.select_related("office"):
        card_print = CardPrint.objects.select_related("movement__from_location").get(
            request=request, outcome=CardPrint.Outcome.SUCCESS)
        assert card_print.movement.reason == Movement.Reason.ISSUE
        assert card_print.movement.from_location.office_id == request.office_id
        assert card_print.movement.reference == request.registration_number
    waiting = ServiceRequest.objects.filter(status__in=[Status.SUBMITTED, Status.VERIFIED])
    assert not CardPrint.objects.filter(request__in=waiting, outcome="success").exists()


def test_the_draw_of_every_successful_bulk_print_is_held_like_print_card_holds_it():
    seed()
    success = CardPrint.objects.filter(outcome=CardPrint.Outcome.SUCCESS)
    assert success.exists()
    held = set(MovementHold.objects.values_list("movement_id", flat=True))
    assert held == set(success.values_list("movement_id", flat=True))


def test_every_transition_is_an_event():
    seed()
    assert RequestEvent.objects.filter(to_status=Status.SUBMITTED).count() == 300
    delivered = ServiceRequest.objects.filter(status=Status.DELIVERED).count()
    assert RequestEvent.objects.filter(to_status=Status.DELIVERED).count() == delivered


def test_each_stage_end_is_stamped_on_the_request_at_its_event_time():
    """The dashboard's stage times read verified_at, printed_at and delivered_at in place
    of the events: each must be set once, at the time of the one event ending its stage."""
    seed()
    ends = {Status.VERIFIED: "verified_at", Status.PRINTED: "printed_at",
            Status.DELIVERED: "delivered_at"}
    events = RequestEvent.objects.filter(to_status__in=list(ends)).exclude(
        from_status=F("to_status")).select_related("request")
    checked = 0
    for event in events:
        assert getattr(event.request, ends[event.to_status]) == event.at
        checked += 1
    stamped = sum(ServiceRequest.objects.filter(**{f"{field}__isnull": False}).count()
                  for field in ends.values())
    assert checked == stamped > 0


def test_bulk_offices_have_the_locations_and_balances_of_create_office():
    seed(offices=2, movements=50, requests=20)
    made = ledger.create_office(code="9950", name="Kantor Pembanding")
    bulk = Office.objects.exclude(pk=made.pk).first()
    for office in (made, bulk):
        kinds = sorted(Location.objects.filter(office=office).values_list("kind", flat=True))
        assert kinds == sorted(Location.OFFICE_KINDS)
        balanced = Balance.objects.filter(location__office=office).values_list(
            "location__kind", flat=True)
        assert sorted(balanced) == sorted(Location.BALANCED_KINDS)
        assert Location.objects.get(office=office, kind="stock").code == f"{office.code}-STOCK"


def test_a_new_request_after_bulk_data_gets_a_fresh_registration_number():
    seed(offices=1, movements=100, requests=200, days=2)
    office = Office.objects.get()
    operator = make_user("Operator", office, username="petugas_massal")
    created = services.submit_request(
        office=office, nik="3201014101900001", full_name="Warga Baru", kind="damaged",
        channel="counter", by=operator)
    assert ServiceRequest.objects.filter(registration_number=created.registration_number
                                         ).count() == 1
    assert Counter.objects.filter(office=office, name="REG").exists()


def test_seed_bulk_refuses_existing_data_unless_reset():
    seed(offices=2, movements=50, requests=20)
    with pytest.raises(CommandError, match="--reset"):
        seed(offices=2, movements=50, requests=20)
    seed(offices=3, movements=60, requests=30, reset=True)
    assert Office.objects.count() == 3
    assert Movement.objects.count() == 60
    assert LEDGER_CLEAN in verify_ledger()


def test_split_adds_up_and_regions_spread_over_the_country():
    assert sum(split(1_000_003, [1.0, 0.5, 0.25])) == 1_000_003
    regions = pick_regions(5)
    assert len({region.code[:2] for region in regions}) == 5
    assert len(pick_regions(10_000)) == 514
