"""Printing draws one blank through the ledger; ruined prints; the reservation rule; suket."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from blanko import services as ledger
from blanko.exceptions import InsufficientStock
from blanko.models import Location, Movement
from layanan import rules, services
from layanan.models import CardPrint, ServiceRequest, Suket
from tests.layanan.conftest import (
    born_years_ago,
    make_nik,
    noon,
    nothing_written,
    spoiled_of,
    stock_of,
    submit,
    today,
    verified,
    verify,
)

Kind = ServiceRequest.Kind
Status = ServiceRequest.Status
Outcome = CardPrint.Outcome

pytestmark = pytest.mark.django_db


def pemula(office, by, **kwargs) -> ServiceRequest:
    """A verified first-time applicant (tier 1) who is already 17."""
    return verified(office, by, kind=Kind.NEW, nik=make_nik(born_years_ago(17, days=30)),
                    **kwargs)


def other(office, by, **kwargs) -> ServiceRequest:
    """A verified tier-4 request (a damaged card)."""
    return verified(office, by, kind=Kind.DAMAGED, **kwargs)


# Printing


def test_printing_takes_one_blank_from_stock_to_issued(office, operator, give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    at = timezone.now().replace(microsecond=0)
    card_print = services.print_card(request=request, by=operator, at=at)
    assert stock_of(office) == 4
    assert card_print.outcome == Outcome.SUCCESS
    assert card_print.printed_by == operator
    movement = card_print.movement
    assert movement.quantity == 1
    assert movement.reason == Movement.Reason.ISSUE
    assert (movement.from_location.kind, movement.to_location.kind) == (
        Location.Kind.STOCK, Location.Kind.ISSUED)
    assert movement.reference == request.registration_number
    request.refresh_from_db()
    assert request.status == Status.PRINTED
    assert request.printed_at == at
    event = request.events.get(to_status=Status.PRINTED)
    assert (event.from_status, event.by, event.at) == (Status.VERIFIED, operator, at)


@pytest.mark.parametrize("state", ["submitted", "printed", "delivered", "rejected", "cancelled"])
def test_only_a_verified_request_can_be_printed(office, operator, give_stock, state):
    give_stock(office, 5)
    request = submit(office, operator)
    if state != "submitted":
        verify(request, operator)
    if state in ("printed", "delivered"):
        services.print_card(request=request, by=operator)
    if state == "delivered":
        services.deliver_request(request=request, by=operator)
    if state == "rejected":
        services.reject_request(request=request, by=operator, reason="Data tidak cocok")
    if state == "cancelled":
        services.cancel_request(request=request, by=operator)
    label = dict(Status.choices)[state]
    with nothing_written(match=f"Tindakan ini tidak dapat dilakukan: .* adalah {label}"):
        services.print_card(request=request, by=operator)


def test_printing_with_no_stock_is_refused_as_insufficient_stock(office, operator):
    request = pemula(office, operator)
    with nothing_written(InsufficientStock, match="Stok blanko habis"):
        services.print_card(request=request, by=operator)
    assert issubclass(InsufficientStock, ValidationError)  # the views show it on the page


def test_a_second_print_of_the_same_request_is_refused(office, operator, give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    services.print_card(request=request, by=operator)
    with nothing_written(match="adalah Dicetak"):
        services.print_card(request=request, by=operator)
    assert stock_of(office) == 4
    assert CardPrint.objects.filter(request=request).count() == 1


def test_the_same_idempotency_key_returns_the_first_print_and_takes_no_second_blank(
        office, operator, give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    first = services.print_card(request=request, by=operator, idempotency_key="klik-1")
    again = services.print_card(request=request, by=operator, idempotency_key="klik-1")
    assert again.pk == first.pk
    assert stock_of(office) == 4
    assert CardPrint.objects.count() == 1
    assert Movement.objects.filter(reason=Movement.Reason.ISSUE).count() == 1


def test_an_idempotency_key_of_another_request_is_refused(office, operator, give_stock):
    give_stock(office, 5)
    first, second = other(office, operator), other(office, operator)
    services.print_card(request=first, by=operator, idempotency_key="klik-1")
    with nothing_written(match="sudah dipakai untuk permohonan lain"):
        services.print_card(request=second, by=operator, idempotency_key="klik-1")


@pytest.mark.parametrize("key", ["k" * 101, "k" * 10_000, "\x00", "klik\n1"])
def test_an_overlong_or_unprintable_idempotency_key_is_refused(office, operator, give_stock,
                                                               key):
    give_stock(office, 5)
    request = other(office, operator)
    with nothing_written(match="Kunci formulir tidak valid"):
        services.print_card(request=request, by=operator, idempotency_key=key)


def test_the_database_allows_one_successful_print_per_request(office, operator, give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    services.print_card(request=request, by=operator)
    movement = ledger.issue_blank(office=office, by=operator)
    with pytest.raises(IntegrityError, match="print_one_success_per_request|UNIQUE"), \
            transaction.atomic():
        CardPrint.objects.create(request=request, outcome=Outcome.SUCCESS, movement=movement,
                                 printed_at=timezone.now(), printed_by=operator)


def test_an_operator_of_another_office_cannot_print(office, operator, other_operator, viewer,
                                                    give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    for user in (other_operator, viewer):
        with nothing_written(PermissionDenied):
            services.print_card(request=request, by=user)
        with nothing_written(PermissionDenied):
            services.record_spoiled_print(request=request, by=user, cause="print_failed")
        with nothing_written(PermissionDenied):
            services.issue_suket(request=request, by=user)


# Age: printing waits for the 17th birthday


def test_printing_before_the_17th_birthday_is_refused_with_the_date(office, operator,
                                                                   give_stock):
    give_stock(office, 5)
    birthday = today() + datetime.timedelta(days=45)
    request = verified(office, operator, kind=Kind.NEW,
                       nik=make_nik(rules.add_years(birthday, -17)))
    assert request.printable_from == birthday
    with nothing_written(match=f"Belum 17 tahun; dapat dicetak mulai {birthday:%d-%m-%Y}."):
        services.print_card(request=request, by=operator)
    with nothing_written(match="Belum 17 tahun"):
        services.record_spoiled_print(request=request, by=operator, cause="print_failed")


def test_printing_is_allowed_from_the_17th_birthday(office, operator, give_stock):
    give_stock(office, 5)
    birthday = today() - datetime.timedelta(days=10)
    request = submit(office, operator, kind=Kind.NEW, nik=make_nik(rules.add_years(birthday, -17)),
                     at=noon(birthday - datetime.timedelta(days=100)))
    verify(request, operator, at=noon(birthday - datetime.timedelta(days=99)))
    with nothing_written(match=f"dapat dicetak mulai {birthday:%d-%m-%Y}"):
        services.print_card(request=request, by=operator,
                            at=noon(birthday - datetime.timedelta(days=1)))
    services.print_card(request=request, by=operator, at=noon(birthday))
    request.refresh_from_db()
    assert request.status == Status.PRINTED


# The reservation rule: tier 2+ takes a blank only when stock - 1 covers the higher tiers


def test_with_stock_2_and_one_pemula_waiting_a_tier_4_request_can_print(office, operator,
                                                                       give_stock):
    give_stock(office, 2)
    pemula(office, operator)
    request = other(office, operator)
    services.print_card(request=request, by=operator)
    assert stock_of(office) == 1


def test_with_stock_1_and_one_pemula_waiting_only_the_pemula_can_print(office, operator,
                                                                      give_stock):
    give_stock(office, 1)
    first_timer = pemula(office, operator)
    request = other(office, operator)
    with nothing_written(match="Dicadangkan untuk prioritas lebih tinggi: stok 1, 1 pemohon"):
        services.print_card(request=request, by=operator)
    with nothing_written(match="Dicadangkan"):
        services.record_spoiled_print(request=request, by=operator, cause="print_failed")
    services.print_card(request=first_timer, by=operator)
    assert stock_of(office) == 0


@pytest.mark.parametrize("waiting_kwargs, waiting_tier, request_kwargs", [
    ({"disaster_victim": True}, 2, {"replaces_suket": True}),  # tier 2 before tier 3
    ({"replaces_suket": True}, 3, {}),  # tier 3 before tier 4
    ({"disaster_victim": True}, 2, {}),  # tier 2 before tier 4
])
def test_every_higher_tier_is_covered_before_a_lower_one(office, operator, give_stock,
                                                        waiting_kwargs, waiting_tier,
                                                        request_kwargs):
    give_stock(office, 1)
    higher = other(office, operator, **waiting_kwargs)
    assert higher.priority_tier == waiting_tier
    lower = other(office, operator, **request_kwargs)
    with nothing_written(match="Dicadangkan"):
        services.print_card(request=lower, by=operator)
    services.print_card(request=higher, by=operator)


def test_the_same_tier_does_not_reserve(office, operator, give_stock):
    give_stock(office, 1)
    other(office, operator)
    services.print_card(request=other(office, operator), by=operator)


def test_a_pemula_always_takes_the_last_blank(office, operator, give_stock):
    give_stock(office, 1)
    pemula(office, operator)
    services.print_card(request=pemula(office, operator), by=operator)


def test_requests_that_cannot_print_now_reserve_nothing(office, operator, give_stock):
    give_stock(office, 1)
    # Not yet 17, only submitted, or already closed: none of these wait for a blank today.
    verified(office, operator, kind=Kind.NEW,
             nik=make_nik(born_years_ago(17, days=-30)))
    submit(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(18)))
    services.cancel_request(request=pemula(office, operator), by=operator)
    services.print_card(request=other(office, operator), by=operator)


def test_another_offices_queue_reserves_nothing_here(office, operator, other_office,
                                                      other_operator, give_stock):
    give_stock(office, 1)
    pemula(other_office, other_operator)
    services.print_card(request=other(office, operator), by=operator)


def test_reserved_stock_counts_every_waiting_higher_tier(office, operator, give_stock):
    give_stock(office, 3)
    pemula(office, operator)
    pemula(office, operator)
    request = other(office, operator)
    services.print_card(request=request, by=operator)  # 3 - 1 = 2 covers both pemula
    second = other(office, operator)
    with nothing_written(match="stok 2, 2 pemohon"):  # 2 - 1 = 1 does not
        services.print_card(request=second, by=operator)


# Ruined prints


@pytest.mark.parametrize("cause", Movement.Cause.values)
def test_a_ruined_print_records_a_spoiled_blank_with_its_cause(office, operator, give_stock,
                                                               cause):
    give_stock(office, 5)
    request = other(office, operator)
    card_print = services.record_spoiled_print(request=request, by=operator, cause=cause)
    assert card_print.outcome == Outcome.SPOILED
    assert card_print.movement.cause == cause
    assert card_print.movement.to_location.kind == Location.Kind.SPOILED
    assert (stock_of(office), spoiled_of(office)) == (4, 1)
    request.refresh_from_db()
    assert request.status == Status.VERIFIED
    event = request.events.last()
    assert (event.from_status, event.to_status, event.by) == (
        Status.VERIFIED, Status.VERIFIED, operator)
    assert str(Movement.Cause(cause).label) in event.note


def test_a_ruined_print_allows_a_reprint(office, operator, give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    services.record_spoiled_print(request=request, by=operator, cause="encode_failed")
    services.record_spoiled_print(request=request, by=operator, cause="print_failed")
    services.print_card(request=request, by=operator)
    assert (stock_of(office), spoiled_of(office)) == (2, 2)
    assert list(request.prints.values_list("outcome", flat=True)) == [
        Outcome.SPOILED, Outcome.SPOILED, Outcome.SUCCESS]
    request.refresh_from_db()
    assert request.status == Status.PRINTED


@pytest.mark.parametrize("cause", ["", "lost", None, "PRINT_FAILED"])
def test_a_ruined_print_needs_a_known_cause(office, operator, give_stock, cause):
    give_stock(office, 5)
    request = other(office, operator)
    with nothing_written() as info:
        services.record_spoiled_print(request=request, by=operator, cause=cause)
    assert info.value.message_dict == {"cause": ["Pilih penyebab kerusakan yang valid."]}


def test_a_resubmitted_ruined_print_form_records_one_spoiled_blank(office, operator, give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    first = services.record_spoiled_print(request=request, by=operator, cause="damaged",
                                          idempotency_key="rusak-1")
    again = services.record_spoiled_print(request=request, by=operator, cause="damaged",
                                          idempotency_key="rusak-1")
    assert again.pk == first.pk
    assert (stock_of(office), spoiled_of(office)) == (4, 1)


def test_a_ruined_print_with_no_stock_is_refused(office, operator):
    request = other(office, operator)
    with nothing_written(InsufficientStock):
        services.record_spoiled_print(request=request, by=operator, cause="damaged")


# Suket


def test_a_suket_is_issued_when_the_stock_is_empty(office, operator):
    request = other(office, operator)
    suket = services.issue_suket(request=request, by=operator)
    assert suket.number == f"SKT/2172/{today():%Y}/00001"
    assert suket.issued_on == today()
    assert suket.valid_until == rules.add_months(today(), 6)
    assert suket.issued_by == operator
    assert suket.replaced_at is None
    event = request.events.last()
    assert (event.from_status, event.to_status) == (Status.VERIFIED, Status.VERIFIED)
    assert suket.number in event.note and f"{suket.valid_until:%d-%m-%Y}" in event.note


def test_suket_numbers_follow_each_other(office, operator):
    first = services.issue_suket(request=other(office, operator), by=operator)
    second = services.issue_suket(request=other(office, operator), by=operator)
    assert (first.number, second.number) == (f"SKT/2172/{today():%Y}/00001",
                                             f"SKT/2172/{today():%Y}/00002")


def test_a_suket_is_issued_when_the_blanks_left_are_reserved(office, operator, give_stock):
    give_stock(office, 1)
    pemula(office, operator)
    suket = services.issue_suket(request=other(office, operator), by=operator)
    assert suket.pk is not None
    assert stock_of(office) == 1


def test_no_suket_when_a_blank_is_available(office, operator, give_stock):
    give_stock(office, 1)
    request = other(office, operator)
    with nothing_written(match="Blanko tersedia untuk pemohon ini; cetak KTP-el, bukan suket."):
        services.issue_suket(request=request, by=operator)


def test_a_suket_needs_recorded_biometrics(office, operator):
    request = other(office, operator, biometrics=False)
    with nothing_written(match="Suket hanya untuk pemohon yang biometriknya sudah direkam."):
        services.issue_suket(request=request, by=operator)


def test_a_suket_needs_a_verified_request(office, operator):
    request = submit(office, operator)
    with nothing_written(match="adalah Diajukan"):
        services.issue_suket(request=request, by=operator)


def test_no_suket_for_an_applicant_who_is_not_17_yet(office, operator):
    request = verified(office, operator, kind=Kind.NEW,
                       nik=make_nik(born_years_ago(17, days=-30)))
    with nothing_written(match="Belum 17 tahun"):
        services.issue_suket(request=request, by=operator)


def test_a_second_suket_while_the_first_is_valid_is_refused(office, operator):
    request = other(office, operator)
    services.issue_suket(request=request, by=operator)
    with nothing_written(match="masih memegang suket yang berlaku"):
        services.issue_suket(request=request, by=operator)


def test_a_new_suket_can_be_issued_after_the_first_expires(office, operator):
    request = other(office, operator)
    start = today() - datetime.timedelta(days=200)
    first = services.issue_suket(request=request, by=operator, at=noon(start))
    assert first.valid_until < today()
    second = services.issue_suket(request=request, by=operator)
    assert second.valid_until == rules.add_months(today(), 6)
    first.refresh_from_db()
    assert first.replaced_at is not None
    assert Suket.objects.filter(request=request, replaced_at__isnull=True).get() == second


def test_printing_the_card_marks_the_suket_replaced(office, operator, give_stock):
    request = other(office, operator)
    suket = services.issue_suket(request=request, by=operator)
    give_stock(office, 1)
    at = timezone.now().replace(microsecond=0)
    services.print_card(request=request, by=operator, at=at)
    suket.refresh_from_db()
    assert suket.replaced_at == at


def test_a_ruined_print_does_not_replace_the_suket(office, operator, give_stock):
    request = other(office, operator)
    suket = services.issue_suket(request=request, by=operator)
    give_stock(office, 1)
    services.record_spoiled_print(request=request, by=operator, cause="damaged")
    suket.refresh_from_db()
    assert suket.replaced_at is None


def test_the_database_allows_one_active_suket_per_request(office, operator):
    request = other(office, operator)
    suket = services.issue_suket(request=request, by=operator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Suket.objects.create(request=request, number="SKT/X", issued_on=suket.issued_on,
                             valid_until=suket.valid_until, issued_by=operator)
