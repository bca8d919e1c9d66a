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
from tests.helpers import noon, today
from tests.layanan.helpers import (
    born_years_ago,
    make_nik,
    nothing_written,
    spoiled_of,
    stock_of,
    submit,
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
    birthday = today() - datetime.timedelta(days=10)
    give_stock(office, 5, occurred_on=birthday - datetime.timedelta(days=100))
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
    higher.refresh_from_db()
    assert (higher.status, stock_of(office)) == (Status.PRINTED, 0)


def test_the_same_tier_does_not_reserve(office, operator, give_stock):
    give_stock(office, 1)
    waiting = other(office, operator)
    later = other(office, operator)
    services.print_card(request=later, by=operator)
    later.refresh_from_db()
    assert (later.status, stock_of(office)) == (Status.PRINTED, 0)
    waiting.refresh_from_db()
    assert waiting.status == Status.VERIFIED


def test_a_pemula_always_takes_the_last_blank(office, operator, give_stock):
    give_stock(office, 1)
    pemula(office, operator)
    later = pemula(office, operator)
    services.print_card(request=later, by=operator)
    later.refresh_from_db()
    assert (later.status, stock_of(office)) == (Status.PRINTED, 0)


def test_requests_that_cannot_print_now_reserve_nothing(office, operator, give_stock):
    give_stock(office, 1)
    # Not yet 17, only submitted, or already closed: none of these wait for a blank today.
    verified(office, operator, kind=Kind.NEW,
             nik=make_nik(born_years_ago(17, days=-30)))
    submit(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(18)))
    services.cancel_request(request=pemula(office, operator), by=operator)
    request = other(office, operator)
    services.print_card(request=request, by=operator)
    request.refresh_from_db()
    assert (request.status, stock_of(office)) == (Status.PRINTED, 0)


def test_another_offices_queue_reserves_nothing_here(office, operator, other_office,
                                                      other_operator, give_stock):
    give_stock(office, 1)
    pemula(other_office, other_operator)
    request = other(office, operator)
    services.print_card(request=request, by=operator)
    request.refresh_from_db()
    assert (request.status, stock_of(office)) == (Status.PRINTED, 0)


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


# A ruined print is a fact on the table: the reservation rule does not refuse it (issue 10)


def test_a_ruined_print_is_recorded_even_when_the_last_blank_is_reserved(office, operator,
                                                                        give_stock):
    give_stock(office, 1)
    pemula(office, operator)
    request = other(office, operator)
    with nothing_written(match="Dicadangkan"):
        services.print_card(request=request, by=operator)
    card_print = services.record_spoiled_print(request=request, by=operator,
                                               cause="print_failed")
    assert card_print.outcome == Outcome.SPOILED
    assert (stock_of(office), spoiled_of(office)) == (0, 1)


# An idempotency key belongs to one action (issue 10, finding 11)


@pytest.mark.parametrize("first, second", [("print", "spoil"), ("spoil", "print"),
                                           ("spoil", "spoil_other_cause")])
def test_a_form_key_replayed_for_another_action_is_refused(office, operator, give_stock,
                                                          first, second):
    give_stock(office, 5)
    request = other(office, operator)
    actions = {
        "print": lambda: services.print_card(request=request, by=operator,
                                             idempotency_key="klik-1"),
        "spoil": lambda: services.record_spoiled_print(request=request, by=operator,
                                                       cause="damaged", idempotency_key="klik-1"),
        "spoil_other_cause": lambda: services.record_spoiled_print(
            request=request, by=operator, cause="invalid", idempotency_key="klik-1"),
    }
    actions[first]()
    with nothing_written(match="Formulir ini sudah dipakai untuk tindakan lain"):
        actions[second]()


# A printed card's blank never goes back on the shelf; a defective card (issue 10)


def printed(office, operator, **kwargs) -> tuple[ServiceRequest, CardPrint]:
    request = other(office, operator, **kwargs)
    return request, services.print_card(request=request, by=operator)


def test_the_draw_of_a_printed_card_cannot_be_reversed(office, operator, supervisor,
                                                       give_stock):
    give_stock(office, 5)
    request, card_print = printed(office, operator)
    with nothing_written(match="sudah dicetak menjadi KTP-el") as info:
        ledger.reverse_movement(movement=card_print.movement, by=supervisor, reason="keliru")
    assert "Kartu rusak setelah dicetak" in info.value.messages[0]
    assert stock_of(office) == 4
    request.refresh_from_db()
    assert request.status == Status.PRINTED


def test_a_defective_card_goes_from_issued_to_spoiled_and_the_request_back_to_verified(
        office, operator, give_stock):
    give_stock(office, 5)
    request, card_print = printed(office, operator)
    at = timezone.now().replace(microsecond=0)
    defective = services.record_defective_card(request=request, by=operator, cause="damaged",
                                               note="Chip tidak terbaca", at=at)
    assert defective.pk == card_print.pk
    assert defective.outcome == Outcome.DEFECTIVE
    assert (defective.defective_at, defective.defective_by, defective.defect_note) == (
        at, operator, "Chip tidak terbaca")
    movement = defective.defect_movement
    assert movement.reason == Movement.Reason.SPOIL_ISSUED
    assert movement.cause == "damaged"
    assert (movement.from_location.kind, movement.to_location.kind) == (
        Location.Kind.ISSUED, Location.Kind.SPOILED)
    assert movement.reference == request.registration_number
    assert (stock_of(office), spoiled_of(office)) == (4, 1)  # STOCK unchanged, SPOILED +1
    request.refresh_from_db()
    assert request.status == Status.VERIFIED
    assert request.printed_at is None
    event = request.events.get(from_status=Status.PRINTED)
    assert (event.to_status, event.by, event.at) == (Status.VERIFIED, operator, at)
    assert "Kartu rusak setelah dicetak (Rusak)" in event.note
    assert "Chip tidak terbaca" in event.note
    from blanko.selectors import ledger_drift
    assert ledger_drift() == []


def test_a_reprint_after_a_defective_card_takes_one_more_blank(office, operator, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    services.record_defective_card(request=request, by=operator, cause="encode_failed")
    services.print_card(request=request, by=operator)
    assert (stock_of(office), spoiled_of(office)) == (3, 1)
    assert list(request.prints.values_list("outcome", flat=True)) == [
        Outcome.DEFECTIVE, Outcome.SUCCESS]
    request.refresh_from_db()
    assert request.status == Status.PRINTED


def test_a_card_is_recorded_defective_once(office, operator, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    first = services.record_defective_card(request=request, by=operator, cause="damaged",
                                           idempotency_key="rusak-1")
    again = services.record_defective_card(request=request, by=operator, cause="damaged",
                                           idempotency_key="rusak-1")
    assert again.pk == first.pk
    with nothing_written(match="adalah Terverifikasi"):
        services.record_defective_card(request=request, by=operator, cause="damaged")
    assert spoiled_of(office) == 1
    assert Movement.objects.filter(reason=Movement.Reason.SPOIL_ISSUED).count() == 1


def test_a_defect_key_cannot_replay_a_print(office, operator, give_stock):
    give_stock(office, 5)
    request = other(office, operator)
    services.print_card(request=request, by=operator, idempotency_key="klik-1")
    with nothing_written(match="Formulir ini sudah dipakai untuk tindakan lain"):
        services.record_defective_card(request=request, by=operator, cause="damaged",
                                       idempotency_key="klik-1")


def test_the_defect_of_a_reprinted_card_is_recorded_against_the_reprint(office, operator,
                                                                         give_stock):
    give_stock(office, 5)
    request, first = printed(office, operator)
    services.record_defective_card(request=request, by=operator, cause="damaged")
    second = services.print_card(request=request, by=operator)
    defective = services.record_defective_card(request=request, by=operator, cause="invalid")
    assert defective.pk == second.pk
    assert (stock_of(office), spoiled_of(office)) == (3, 2)


@pytest.mark.parametrize("state", ["submitted", "verified", "rejected"])
def test_only_a_printed_request_can_have_a_defective_card(office, operator, give_stock, state):
    give_stock(office, 5)
    request = submit(office, operator)
    if state != "submitted":
        verify(request, operator)
    if state == "rejected":
        services.reject_request(request=request, by=operator, reason="Data tidak cocok")
    label = dict(Status.choices)[state]
    with nothing_written(match=f"adalah {label}"):
        services.record_defective_card(request=request, by=operator, cause="damaged")


def test_a_delivered_card_is_replaced_through_a_new_request(office, operator, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    services.deliver_request(request=request, by=operator)
    with nothing_written(match="sudah diserahkan kepada pemohon"):
        services.record_defective_card(request=request, by=operator, cause="damaged")


@pytest.mark.parametrize("cause", ["", "lost", None])
def test_a_defective_card_needs_a_known_cause(office, operator, give_stock, cause):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    with nothing_written() as info:
        services.record_defective_card(request=request, by=operator, cause=cause)
    assert info.value.message_dict == {"cause": ["Pilih penyebab kerusakan yang valid."]}


def test_only_the_offices_operators_record_a_defective_card(office, operator, other_operator,
                                                            viewer, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    for user in (other_operator, viewer):
        with nothing_written(PermissionDenied):
            services.record_defective_card(request=request, by=user, cause="damaged")


def test_the_spoiling_of_a_defective_card_cannot_be_reversed(office, operator, supervisor,
                                                             give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    defective = services.record_defective_card(request=request, by=operator, cause="damaged")
    with nothing_written(match="tidak dapat dibalik"):
        ledger.reverse_movement(movement=defective.defect_movement, by=supervisor,
                                reason="keliru")


def test_a_defective_card_gives_the_applicant_their_suket_back(office, operator, give_stock):
    request = other(office, operator)
    suket = services.issue_suket(request=request, by=operator)
    give_stock(office, 1)
    services.print_card(request=request, by=operator)
    services.record_defective_card(request=request, by=operator, cause="damaged")
    suket.refresh_from_db()
    assert suket.replaced_at is None  # the card never reached them: the suket stays valid


def test_the_database_allows_one_defect_record_per_print(office, operator, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    defective = services.record_defective_card(request=request, by=operator, cause="damaged")
    with pytest.raises(IntegrityError), transaction.atomic():
        CardPrint.objects.filter(pk=defective.pk).update(outcome=Outcome.SUCCESS)


# The request page's defect action


def defect_url(request: ServiceRequest) -> str:
    from django.urls import reverse
    return reverse("layanan:action", kwargs={"code": request.office.code, "pk": request.pk,
                                             "action": "defect"})


def test_the_detail_page_records_a_defective_card_once_on_double_submit(client, office,
                                                                       operator, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    client.force_login(operator)
    detail = client.get(defect_url(request).removesuffix("defect/"))
    assert b"Kartu rusak setelah dicetak" in detail.content
    form = {"cause": "damaged", "note": "Foto buram", "key": "form-1"}
    for _ in range(2):
        response = client.post(defect_url(request), form, follow=True)
        assert response.status_code == 200
        assert "Kartu rusak dicatat" in response.content.decode()
    assert Movement.objects.filter(reason=Movement.Reason.SPOIL_ISSUED).count() == 1
    request.refresh_from_db()
    assert request.status == Status.VERIFIED
    from django.urls import reverse
    ledger_page = client.get(reverse("blanko:stock", kwargs={"code": office.code}))
    assert "Kartu rusak setelah dicetak (Rusak)" in ledger_page.content.decode()


def test_the_defect_action_is_refused_to_another_office_and_to_a_viewer(
        client, office, operator, other_operator, viewer, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    form = {"cause": "damaged", "note": "", "key": "form-1"}
    client.force_login(other_operator)
    assert client.post(defect_url(request), form).status_code == 404
    client.force_login(viewer)
    assert client.post(defect_url(request), form).status_code == 403
    assert not Movement.objects.filter(reason=Movement.Reason.SPOIL_ISSUED).exists()


def test_the_detail_page_offers_the_ruined_print_when_the_last_blank_is_reserved(
        client, office, operator, give_stock):
    give_stock(office, 1)
    pemula(office, operator)
    request = other(office, operator)
    client.force_login(operator)
    page = client.get(defect_url(request).removesuffix("defect/")).content.decode()
    assert "Dicadangkan" in page
    assert "Catat cetak rusak" in page
    assert "Cetak KTP-el</button>" not in page


def test_the_migration_holds_the_draws_of_cards_printed_before_it(office, operator, supervisor,
                                                                   give_stock):
    """layanan 0008 holds the draw of every successful print that exists already."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from blanko.models import MovementHold

    give_stock(office, 5)
    _, card = printed(office, operator)
    spoiled = services.record_spoiled_print(request=other(office, operator), by=operator,
                                            cause="damaged")
    MovementHold.objects.all().delete()  # as before the migration
    migration = importlib.import_module("layanan.migrations.0008_card_defect_and_print_holds")
    with connection.cursor() as cursor:
        migration.hold_printed_cards(apps, SimpleNamespace(connection=connection,
                                                           execute=cursor.execute))
    assert list(MovementHold.objects.values_list("movement_id", flat=True)) == [
        card.movement_id]
    with nothing_written(match="sudah dicetak menjadi KTP-el"):
        ledger.reverse_movement(movement=card.movement, by=supervisor, reason="keliru")
    reversal = ledger.reverse_movement(movement=spoiled.movement, by=supervisor,
                                       reason="keliru")
    assert (reversal.reverses_id, reversal.quantity) == (spoiled.movement_id, 1)


def test_a_card_whose_draw_was_reversed_before_the_fix_is_not_spoiled_again(
        office, operator, supervisor, give_stock):
    """A reversal recorded before draws were held already put that blank back."""
    give_stock(office, 5)
    request, card = printed(office, operator)
    ledger.post_movement(from_location=card.movement.to_location,
                         to_location=card.movement.from_location, quantity=1,
                         reason=Movement.Reason.REVERSAL, by=supervisor, reverses=card.movement)
    with nothing_written(match="sudah dikembalikan ke stok lewat pembalikan"):
        services.record_defective_card(request=request, by=operator, cause="damaged")


def test_the_defect_form_chooses_no_cause_for_the_clerk(client, office, operator, give_stock):
    give_stock(office, 5)
    request, _ = printed(office, operator)
    client.force_login(operator)
    before = Movement.objects.count()
    response = client.post(defect_url(request), {"cause": "", "key": "form-2"}, follow=True)
    assert response.status_code == 200
    assert Movement.objects.count() == before
    request.refresh_from_db()
    assert request.status == Status.PRINTED
    detail = client.get(defect_url(request).removesuffix("defect/")).content.decode()
    assert '<option value="" selected>' in detail
