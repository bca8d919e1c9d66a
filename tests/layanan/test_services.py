"""Registering, verifying, delivering, rejecting and cancelling service requests."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from layanan import rules, selectors, services
from layanan.models import RequestEvent, ServiceRequest
from tests.helpers import noon, today
from tests.layanan.helpers import (
    adult_nik,
    born_years_ago,
    make_nik,
    nothing_written,
    submit,
    verified,
    verify,
)

Kind = ServiceRequest.Kind
Channel = ServiceRequest.Channel
Status = ServiceRequest.Status

pytestmark = pytest.mark.django_db


def error_dict(info: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return info.value.message_dict


# Registering


def test_a_counter_request_takes_birth_date_sex_and_tier_from_the_nik(office, operator):
    born = born_years_ago(35, days=10)
    request = submit(office, operator, nik=make_nik(born, female=True), kind=Kind.DAMAGED,
                     full_name="  Siti   Rahmawati ", phone="0812-3456-7890",
                     email=" siti@example.com ", kk_number="2172 0101 0190 0007")
    request.refresh_from_db()
    assert request.channel == Channel.COUNTER
    assert request.status == Status.SUBMITTED
    assert request.birth_date == born
    assert request.sex == ServiceRequest.Sex.FEMALE
    assert request.full_name == "Siti Rahmawati"
    assert request.phone == "081234567890"
    assert request.email == "siti@example.com"
    assert request.kk_number == "2172010101900007"
    assert request.priority_tier == 4
    assert request.printable_from is None
    assert request.created_by == operator


def test_the_registration_number_is_office_date_and_a_daily_sequence(office, operator,
                                                                     other_office, other_operator):
    first = submit(office, operator)
    second = submit(office, operator)
    batam = submit(other_office, other_operator)
    day = f"{today():%y%m%d}"
    assert first.registration_number == f"2172-{day}-0001"
    assert second.registration_number == f"2172-{day}-0002"
    assert batam.registration_number == f"2171-{day}-0001"


def test_submitting_writes_a_submitted_event_with_who_and_when(office, operator):
    at = timezone.now().replace(microsecond=0)
    request = submit(office, operator, at=at)
    event = RequestEvent.objects.get(request=request)
    assert (event.from_status, event.to_status, event.by, event.at) == (
        "", Status.SUBMITTED, operator, at)
    assert event.note == "Loket"


def test_an_online_request_needs_no_user(office):
    request = submit(office, None, kind=Kind.LOST)
    assert request.channel == Channel.ONLINE
    assert request.created_by is None
    event = request.events.get()
    assert event.by is None and event.note == "Daring"


@pytest.mark.parametrize("kind, disaster, suket, tier", [
    (Kind.NEW, True, True, 1),
    (Kind.DAMAGED, True, False, 2),
    (Kind.LOST, True, True, 2),
    (Kind.DATA_CHANGE, False, True, 3),
    (Kind.RELOCATION, False, False, 4),
])
def test_the_priority_tier_is_derived_when_registering(office, operator, kind, disaster, suket,
                                                       tier):
    nik = make_nik(born_years_ago(17, days=5)) if kind == Kind.NEW else adult_nik()
    request = submit(office, operator, kind=kind, nik=nik, disaster_victim=disaster,
                     replaces_suket=suket)
    assert request.priority_tier == tier


def test_the_same_submission_key_returns_the_same_request(office, operator):
    key = "a" * 32
    nik = adult_nik()
    first = submit(office, operator, nik=nik, submission_key=key)
    again = submit(office, operator, nik=nik, submission_key=key)
    assert again.pk == first.pk
    assert ServiceRequest.objects.count() == 1
    assert RequestEvent.objects.count() == 1


def test_a_resubmitted_online_form_stores_one_request(office):
    nik = adult_nik()
    first = submit(office, None, nik=nik, submission_key="k-online")
    assert submit(office, None, nik=nik, submission_key="k-online").pk == first.pk
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize("at_counter", [False, True])
def test_a_twin_that_checked_the_key_before_its_sibling_committed_gets_the_first_request(
        office, operator, monkeypatch, at_counter):
    """The race of a double-clicked form, made certain: the sibling commits just after
    this twin looked its key up and found nothing."""
    by = operator if at_counter else None
    nik = adult_nik()
    siblings: list[ServiceRequest] = []
    first = QuerySet.first
    raced = []

    def first_then_sibling_commits(queryset):
        found = first(queryset)
        if (found is None and not raced and queryset.model is ServiceRequest
                and "submission_key" in str(queryset.query)):
            raced.append(True)
            siblings.append(submit(office, by, nik=nik, submission_key="kembar"))
        return found

    monkeypatch.setattr(QuerySet, "first", first_then_sibling_commits)
    twin = submit(office, by, nik=nik, submission_key="kembar")
    assert siblings and twin.pk == siblings[0].pk
    assert ServiceRequest.objects.count() == 1


KEY_REUSED = ("Formulir ini sudah pernah dikirim dengan data yang berbeda. Periksa isian, "
              "lalu kirim lagi sebagai permohonan baru.")


@pytest.mark.parametrize("change", [
    {"nik": "other"}, {"full_name": "Orang Lain"}, {"kind": Kind.DATA_CHANGE},
    {"phone": "081200001111"}, {"married": True}, {"disaster_victim": True},
])
def test_a_submission_key_replayed_with_other_data_is_refused(office, change):
    nik = adult_nik()
    first = submit(office, None, nik=nik, submission_key="k-replay")
    change = {**change, "nik": adult_nik()} if change.get("nik") else change
    with nothing_written() as info:
        submit(office, None, **{"nik": nik, **change}, submission_key="k-replay")
    assert info.value.messages == [KEY_REUSED]
    assert ServiceRequest.objects.get().pk == first.pk


def test_a_submission_key_replayed_from_another_office_is_refused(office, other_office,
                                                                  operator, other_operator):
    nik = adult_nik()
    submit(office, None, nik=nik, submission_key="k-elsewhere")
    with nothing_written() as info:
        submit(other_office, None, nik=nik, submission_key="k-elsewhere")
    assert info.value.messages == [KEY_REUSED]
    with nothing_written() as info:  # nor at another office's counter
        submit(other_office, other_operator, nik=nik, submission_key="k-elsewhere")
    assert info.value.messages == [KEY_REUSED]


def test_an_online_submission_key_replayed_at_the_counter_is_refused(office, operator):
    nik = adult_nik()
    submit(office, None, nik=nik, submission_key="k-channel")
    with nothing_written() as info:
        submit(office, operator, nik=nik, submission_key="k-channel",
               supersede_online=True)
    assert info.value.messages == [KEY_REUSED]


# Bad input: a clear Indonesian message and nothing written


@pytest.mark.parametrize("nik, message", [
    ("217201010190001", "NIK harus 16 digit (yang diisi 15 digit)."),
    ("21720101019000011", "NIK harus 16 digit (yang diisi 17 digit)."),
    ("21720101019000A1", "NIK hanya boleh berisi angka 0-9."),
    ("217201010190000٢", "NIK hanya boleh berisi angka 0-9."),
    ("217201010190000２", "NIK hanya boleh berisi angka 0-9."),
    ("0000000000000000", "NIK tidak boleh semuanya nol."),
    ("2172013202900001", "Tanggal lahir dalam NIK (digit 7-12) tidak valid."),
    ("2172013002900001", "Tanggal lahir dalam NIK (digit 7-12) tidak valid."),
    ("2172010113900001", "Tanggal lahir dalam NIK (digit 7-12) tidak valid."),
    ("2172010101900000", "Nomor urut NIK (digit 13-16) dimulai dari 0001."),
    ("", "NIK wajib diisi."),
])
def test_a_bad_nik_is_refused_with_a_message_and_nothing_written(office, operator, nik, message):
    with nothing_written() as info:
        submit(office, operator, nik=nik)
    assert error_dict(info) == {"nik": [message]}


INVISIBLE_ONLY = "Nama lengkap hanya berisi karakter yang tidak terlihat."


@pytest.mark.parametrize("name, message", [
    ("\u200b\u200c\u200d", INVISIBLE_ONLY),  # zero-width space, non-joiner, joiner
    ("\u2060\ufeff", INVISIBLE_ONLY),  # word joiner, byte-order mark
    ("\u202e\u202d\u2066\u2069", INVISIBLE_ONLY),  # bidi overrides and isolates
    (" \u200b \u202e ", INVISIBLE_ONLY),
    ("\u0085\u0090\u009b", "Nama mengandung karakter yang tidak sah."),  # C1 controls
    ("Budi\u009bSantoso", "Nama mengandung karakter yang tidak sah."),
])
def test_a_name_made_only_of_invisible_characters_is_refused(office, operator, name, message):
    for by in (operator, None):
        with nothing_written() as info:
            submit(office, by, full_name=name)
        assert error_dict(info) == {"full_name": [message]}


@pytest.mark.parametrize("typed, stored", [
    ("Bu\u200bdi San\u200dtoso", "Budi Santoso"),
    ("\u202eBudi Santoso\u202c", "Budi Santoso"),
    ("\ufeffSiti\u00a0Rahmawati", "Siti Rahmawati"),
    ("\uff22\uff55\uff44\uff49", "Budi"),  # full-width letters, NFKC
])
def test_invisible_characters_are_removed_from_a_name(office, operator, typed, stored):
    assert submit(office, operator, full_name=typed).full_name == stored


@pytest.mark.parametrize("name, message", [
    ("", "Nama lengkap wajib diisi."),
    ("   \t\n ", "Nama lengkap wajib diisi."),
    ("A" * 201, "Nama lengkap terlalu panjang (maksimal 200 karakter)."),
    ("Budi\x00Santoso", "Nama mengandung karakter yang tidak sah."),
    ("Budi\x1bSantoso", "Nama mengandung karakter yang tidak sah."),
])
def test_a_bad_name_is_refused_with_a_message_and_nothing_written(office, operator, name,
                                                                  message):
    with nothing_written() as info:
        submit(office, operator, full_name=name)
    assert error_dict(info) == {"full_name": [message]}


NOT_A_NAME = ("Nama lengkap hanya boleh berisi huruf, spasi dan tanda . , ' - "
              "(tanpa angka atau simbol), dan harus ada hurufnya.")


@pytest.mark.parametrize("name", [
    pytest.param("\u0301\u0302", id="combining-marks-only"),
    pytest.param("\ue000\ue001", id="private-use"),
    pytest.param("\ufffe", id="noncharacter"),
    pytest.param("\ufffd", id="replacement-character"),
    pytest.param(".", id="dot"),
    pytest.param("-", id="hyphen"),
    pytest.param("\U0001f600", id="emoji"),
    pytest.param("1\u200b2", id="digits"),
    pytest.param("Budi \u0301Santoso", id="accent-on-a-space"),
])
def test_a_name_without_letters_or_with_symbols_is_refused(office, operator, name):
    with nothing_written() as info:
        submit(office, operator, full_name=name)
    assert error_dict(info) == {"full_name": [NOT_A_NAME]}


@pytest.mark.parametrize("name", [
    "Muhammad Al-Fatih", "Mhd. Ridwan, S.Kom.", "Ni Luh Putu Ayu", "O'Neil",
    "Jos\u00e9 Ram\u00f3s", "Andre\u0301 Siregar",
])
def test_a_written_name_with_punctuation_and_accents_is_accepted(office, operator, name):
    assert submit(office, operator, full_name=name).full_name


def test_invisible_characters_are_removed_from_an_email(office, operator):
    assert submit(office, operator, email="warga@contoh.id\u200b").email == "warga@contoh.id"


def test_a_name_of_200_characters_is_accepted(office, operator):
    assert len(submit(office, operator, full_name="A" * 200).full_name) == 200


@pytest.mark.parametrize("phone", [
    "abc", "123", "+1 555 0100", "0812", "0812345", "08123456789012345", "0712345678",
    "+62 712 3456 789", "081234567890x", "٠٨١٢٣٤٥٦٧٨٩٠", "0812 3456 78901 2345 6789",
])
def test_a_junk_phone_number_is_refused_with_a_message_and_nothing_written(office, operator,
                                                                           phone):
    with nothing_written() as info:
        submit(office, operator, phone=phone)
    assert error_dict(info) == {
        "phone": ["Nomor HP tidak valid. Contoh: 0812 3456 7890 atau +62 812 3456 7890."]
    }


@pytest.mark.parametrize("phone", [
    "081234567890", "0812 3456 7890", "0812-3456-7890", "+62 812 3456 7890", "62812345678 90",
    "(0812) 3456.7890",
])
def test_indonesian_mobile_numbers_are_stored_in_one_form(office, operator, phone):
    assert submit(office, operator, phone=phone).phone == "081234567890"


@pytest.mark.parametrize("email", [
    "budi", "budi@", "@example.com", "budi@@example.com", "budi @example.com",
    "<script>@example.com", "budi@example", "a" * 250 + "@example.com",
])
def test_an_invalid_email_is_refused_with_a_message_and_nothing_written(office, operator, email):
    with nothing_written() as info:
        submit(office, operator, email=email)
    assert error_dict(info) == {"email": ["Alamat email tidak valid."]}


def test_a_bad_kk_number_is_refused(office, operator):
    with nothing_written() as info:
        submit(office, operator, kk_number="2172-0101-0190")
    assert error_dict(info) == {"kk_number": ["Nomor KK harus 16 digit (yang diisi 12 digit)."]}


def test_every_bad_field_is_reported_at_once(office, operator):
    with nothing_written() as info:
        submit(office, operator, nik="123", full_name="", phone="abc", email="x@", kind="x")
    assert set(error_dict(info)) == {"nik", "full_name", "phone", "email", "kind"}


def test_an_unknown_kind_is_refused(office, operator):
    with nothing_written() as info:
        submit(office, operator, kind="renewal")
    assert error_dict(info) == {"kind": ["Pilih jenis permohonan yang valid."]}


def test_an_unknown_channel_is_refused(office, operator):
    with nothing_written(match="Saluran permohonan tidak dikenal"):
        submit(office, operator, channel="fax")


def test_a_lost_card_needs_a_police_report_number(office, operator):
    with nothing_written() as info:
        submit(office, operator, kind=Kind.LOST, police_report_number="   ")
    assert error_dict(info) == {"police_report_number": [
        "Permohonan KTP-el hilang wajib menyertakan nomor surat kehilangan dari kepolisian."]}
    request = submit(office, operator, kind=Kind.LOST, police_report_number=" STPL/1/XI/2026 ")
    assert request.police_report_number == "STPL/1/XI/2026"


def test_the_database_refuses_a_lost_card_without_a_police_report(office, operator):
    request = submit(office, operator, kind=Kind.LOST)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=request.pk).update(police_report_number="")


@pytest.mark.parametrize("number", ["STPL\x00/1", "STPL/1\x1b[2J"])
def test_a_police_report_number_with_control_characters_is_refused(office, operator, number):
    with nothing_written() as info:
        submit(office, operator, kind=Kind.LOST, police_report_number=number)
    assert error_dict(info) == {
        "police_report_number": ["Nomor surat mengandung karakter yang tidak sah."]}


def test_a_police_report_number_over_100_characters_is_refused(office, operator):
    with nothing_written() as info:
        submit(office, operator, kind=Kind.LOST, police_report_number="S" * 101)
    assert error_dict(info) == {"police_report_number": ["Nomor surat terlalu panjang."]}


def test_html_and_script_are_stored_as_plain_text(office, operator):
    text = "<script>alert(1)</script>"
    request = submit(office, operator, kind=Kind.LOST, police_report_number=text)
    request.refresh_from_db()
    assert request.police_report_number == text


def test_markup_is_not_a_name(office, operator):
    with nothing_written() as info:
        submit(office, operator, full_name="<script>alert(1)</script>")
    assert error_dict(info) == {"full_name": [NOT_A_NAME]}


# One open request per NIK and kind


def open_elsewhere(*requests: ServiceRequest) -> str:
    return "Masih ada permohonan terbuka untuk NIK ini dengan jenis yang sama: " + ", ".join(
        f"{r.registration_number} ({r.office.name})" for r in requests) + "."


def only_online_open(*requests: ServiceRequest) -> str:
    return open_elsewhere(*requests)[:-1] + (
        ". Permohonan daring itu belum diverifikasi: bila pemohonnya hadir di loket, centang "
        "«Batalkan permohonan daring yang belum diverifikasi» lalu daftarkan lagi.")


def test_a_second_open_request_for_the_same_nik_and_kind_is_refused_at_the_counter(office,
                                                                                   operator):
    nik = adult_nik()
    first = submit(office, operator, nik=nik, kind=Kind.DAMAGED)
    with nothing_written() as info:
        submit(office, operator, nik=nik, kind=Kind.DAMAGED, full_name="Orang Lain")
    assert error_dict(info) == {"nik": [open_elsewhere(first)]}
    # Another kind for the same NIK is a different request.
    assert submit(office, operator, nik=nik, kind=Kind.DATA_CHANGE).kind == Kind.DATA_CHANGE


def test_the_open_request_rule_holds_across_offices_and_channels(office, operator, other_office,
                                                                 other_operator):
    nik = adult_nik()
    online = submit(office, None, nik=nik)
    with nothing_written() as info:
        submit(other_office, other_operator, nik=nik)
    assert error_dict(info) == {"nik": [only_online_open(online)]}


# A duplicate submitted online: accepted like any other, flagged for staff


def test_an_online_request_for_a_nik_with_an_open_request_is_registered_and_flagged(
        office, operator):
    nik = adult_nik()
    first = submit(office, operator, nik=nik)
    fresh = submit(office, None)
    duplicate = submit(office, None, nik=nik, full_name="Orang Lain")
    assert duplicate.pk != first.pk
    assert (duplicate.status, duplicate.channel) == (Status.SUBMITTED, Channel.ONLINE)
    assert duplicate.duplicate_of == first and duplicate.is_flagged
    assert fresh.duplicate_of is None and not fresh.is_flagged
    # The same kind of registration number and the same first event as a fresh request.
    assert re.fullmatch(rf"2172-{today():%y%m%d}-\d{{4}}", duplicate.registration_number)
    assert [(e.from_status, e.to_status, e.note) for e in duplicate.events.all()] == [
        (e.from_status, e.to_status, e.note) for e in fresh.events.all()]


def test_an_online_duplicate_is_flagged_across_offices(office, operator, other_office):
    first = submit(office, operator)
    duplicate = submit(other_office, None, nik=first.nik)
    assert duplicate.duplicate_of == first and duplicate.office == other_office


def test_many_online_duplicates_point_to_the_request_that_was_open_first(office, operator):
    first = submit(office, None)
    again = [submit(office, None, nik=first.nik) for _ in range(3)]
    assert {r.duplicate_of_id for r in again} == {first.pk}


def test_a_flagged_duplicate_cannot_be_verified_while_the_other_request_is_open(office,
                                                                               operator):
    first = submit(office, operator)
    duplicate = submit(office, None, nik=first.nik, full_name="Orang Lain")
    with nothing_written() as info:
        verify(duplicate, operator)
    assert info.value.messages == [
        "Masih ada permohonan terbuka lain untuk NIK ini dengan jenis yang sama: "
        f"{first.registration_number} (Kota Tanjungpinang). Tolak atau batalkan permohonan "
        "yang tidak sah terlebih dahulu."]


def test_the_original_cannot_be_verified_while_a_flagged_duplicate_is_open(office, operator):
    first = submit(office, None)
    duplicate = submit(office, None, nik=first.nik, full_name="Orang Lain")
    with nothing_written(match=duplicate.registration_number):
        verify(first, operator)
    services.reject_request(request=duplicate, by=operator, reason="Bukan pemilik NIK")
    assert verify(first, operator).status == Status.VERIFIED


def test_a_flagged_duplicate_cannot_take_a_blank_before_staff_resolve_it(office, operator,
                                                                         give_stock):
    give_stock(office, 5)
    first = submit(office, None)
    duplicate = submit(office, None, nik=first.nik, full_name="Orang Lain")
    with nothing_written(match="status permohonan"):
        services.print_card(request=duplicate, by=operator)
    with nothing_written(match="Masih ada permohonan terbuka lain"):
        verify(duplicate, operator)
    # Staff decide the first was not genuine: cancel it, then the duplicate may proceed.
    services.cancel_request(request=first, by=operator, reason="Bukan pemilik NIK")
    verify(duplicate, operator)
    assert services.print_card(request=duplicate, by=operator).outcome == "success"


def test_a_flagged_duplicate_of_a_request_that_got_its_card_cannot_be_verified(
        office, operator, give_stock):
    give_stock(office, 1)
    first = submit(office, operator)
    services.print_card(request=verify(first, operator), by=operator)
    duplicate = submit(office, None, nik=first.nik)
    services.deliver_request(request=first, by=operator)
    with nothing_written() as info:
        verify(duplicate, operator)
    assert info.value.messages == [
        f"Permohonan ini diajukan saat permohonan {first.registration_number} masih terbuka, "
        "dan permohonan itu sudah menghasilkan KTP-el. Tolak permohonan ini bila memang "
        "ganda."]


def test_the_database_allows_one_verified_or_printed_request_per_nik_and_kind(office,
                                                                             operator):
    first = submit(office, None)
    duplicate = submit(office, None, nik=first.nik)
    ServiceRequest.objects.filter(pk=first.pk).update(status=Status.VERIFIED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=duplicate.pk).update(status=Status.VERIFIED)


# The person at the counter is never blocked by an unverified online request


def test_the_counter_registers_the_person_and_cancels_unverified_online_requests(
        office, operator):
    squat = submit(office, None, full_name="Penyerobot")
    again = submit(office, None, nik=squat.nik, full_name="Penyerobot")
    with nothing_written() as info:
        submit(office, operator, nik=squat.nik)
    assert error_dict(info) == {"nik": [only_online_open(squat, again)]}
    real = submit(office, operator, nik=squat.nik, supersede_online=True)
    assert (real.status, real.channel, real.duplicate_of) == (
        Status.SUBMITTED, Channel.COUNTER, None)
    for other in (squat, again):
        other.refresh_from_db()
        assert other.status == Status.CANCELLED
        event = other.events.last()
        assert (event.from_status, event.to_status, event.by) == (
            Status.SUBMITTED, Status.CANCELLED, operator)
        assert event.note == (
            f"Dibatalkan saat pemohon didaftarkan di loket Kota Tanjungpinang "
            f"({real.registration_number}).")
    assert real.events.get().note == (
        f"Loket \u00b7 menggantikan permohonan daring {squat.registration_number}, "
        f"{again.registration_number}")
    assert verify(real, operator).status == Status.VERIFIED


def test_the_counter_supersedes_an_unverified_online_request_of_another_office(
        office, operator, other_office, other_operator):
    squat = submit(other_office, None)
    real = submit(office, operator, nik=squat.nik, supersede_online=True)
    squat.refresh_from_db()
    assert squat.status == Status.CANCELLED and real.is_open


@pytest.mark.parametrize("first_at", ["counter", "verified_online"])
def test_the_counter_never_cancels_a_counter_or_verified_request(office, operator, first_at):
    first = submit(office, operator if first_at == "counter" else None)
    if first_at == "verified_online":
        verify(first, operator)
    with nothing_written() as info:
        submit(office, operator, nik=first.nik, supersede_online=True)
    assert error_dict(info) == {"nik": [open_elsewhere(first)]}


def test_supersede_is_for_the_counter_only(office):
    squat = submit(office, None)
    duplicate = submit(office, None, nik=squat.nik, supersede_online=True)
    squat.refresh_from_db()
    assert squat.status == Status.SUBMITTED and duplicate.duplicate_of == squat


def test_the_database_allows_one_open_request_per_nik_and_kind(office, operator):
    request = submit(office, operator)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.create(
            office=office, registration_number="X-1", nik=request.nik, full_name="X",
            birth_date=request.birth_date, sex="M", kind=request.kind, channel=Channel.ONLINE,
            priority_tier=4, submitted_at=timezone.now(),
        )


@pytest.mark.parametrize("close", ["deliver", "reject", "cancel"])
def test_a_new_request_is_allowed_once_the_first_is_closed(office, operator, give_stock, close):
    nik = adult_nik()
    first = submit(office, operator, nik=nik)
    if close == "deliver":
        give_stock(office, 1)
        services.print_card(request=verify(first, operator), by=operator)
        services.deliver_request(request=first, by=operator)
    elif close == "reject":
        services.reject_request(request=first, by=operator, reason="Data tidak cocok")
    else:
        services.cancel_request(request=first, by=operator)
    second = submit(office, operator, nik=nik)
    assert second.pk != first.pk and second.status == Status.SUBMITTED


# Age and early registration


def test_a_first_time_applicant_aged_17_may_print_at_once(office, operator):
    request = submit(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(17)))
    assert request.printable_from is None
    assert request.priority_tier == 1


def test_an_applicant_under_17_registers_early_and_prints_from_the_17th_birthday(office,
                                                                                 operator):
    born = born_years_ago(17, days=-90)  # turns 17 in 90 days
    request = submit(office, operator, kind=Kind.NEW, nik=make_nik(born))
    assert request.printable_from == today() + datetime.timedelta(days=90)


def test_early_registration_opens_exactly_one_year_before_the_17th_birthday(office, operator):
    born = born_years_ago(16)  # turns 17 a year from today
    request = submit(office, operator, kind=Kind.NEW, nik=make_nik(born))
    assert request.printable_from == rules.seventeenth_birthday(born)


def test_registering_earlier_than_a_year_before_the_17th_birthday_is_refused(office, operator):
    born = born_years_ago(16, days=-1)  # turns 17 a year and a day from today
    birthday = rules.seventeenth_birthday(born)
    with nothing_written() as info:
        submit(office, operator, kind=Kind.NEW, nik=make_nik(born))
    assert error_dict(info) == {"nik": [
        f"Pemohon baru berusia 17 tahun pada {birthday:%d-%m-%Y}. Permohonan dapat diajukan "
        f"paling cepat {rules.earliest_registration(born):%d-%m-%Y}."
    ]}
    assert rules.earliest_registration(born) > today()


def test_a_married_applicant_under_17_may_print_at_once(office, operator):
    request = submit(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(15)),
                     married=True)
    assert request.printable_from is None


@pytest.mark.parametrize("kind", [Kind.DAMAGED, Kind.LOST, Kind.DATA_CHANGE, Kind.RELOCATION])
def test_an_unmarried_applicant_under_17_can_only_apply_for_a_new_card(office, operator, kind):
    with nothing_written() as info:
        submit(office, operator, kind=kind, nik=make_nik(born_years_ago(16, days=100)))
    assert "ajukan sebagai permohonan baru" in error_dict(info)["kind"][0]
    married = submit(office, operator, kind=kind, married=True,
                     nik=make_nik(born_years_ago(16, days=100)))
    assert married.printable_from is None


def test_the_age_rule_uses_the_submission_day(office, operator):
    born = datetime.date(2003, 12, 9)  # 17 on Pilkada day, 9 December 2020
    request = submit(office, operator, kind=Kind.NEW, nik=make_nik(born),
                     at=noon(datetime.date(2020, 12, 1)))
    assert request.printable_from == datetime.date(2020, 12, 9)


# The century of the birth year: a plausible applicant on the day of the registration


def test_someone_born_in_1925_registers_in_2026_as_101_years_old(office, operator):
    request = submit(office, operator, kind=Kind.DAMAGED, nik=make_nik(datetime.date(1925, 3, 1)),
                     at=noon(datetime.date(2026, 5, 1)))
    assert request.birth_date == datetime.date(1925, 3, 1)
    assert request.printable_from is None


def test_someone_born_on_15_december_1926_is_not_born_in_the_future(office, operator):
    request = submit(office, operator, nik=make_nik(datetime.date(1926, 12, 15), female=True),
                     at=noon(datetime.date(2026, 12, 1)))
    assert (request.birth_date, request.sex) == (datetime.date(1926, 12, 15), "F")


def test_a_pemula_born_in_2009_is_read_as_17_and_prints_at_once(office, operator):
    request = submit(office, operator, kind=Kind.NEW, nik=make_nik(datetime.date(2009, 3, 1)),
                     at=noon(datetime.date(2026, 5, 1)))
    assert request.birth_date == datetime.date(2009, 3, 1)
    assert (request.printable_from, request.priority_tier) == (None, 1)


def test_a_married_pemula_of_12_is_read_as_12_not_112(office, operator):
    request = submit(office, operator, kind=Kind.NEW, married=True,
                     nik=make_nik(datetime.date(2014, 3, 1)), at=noon(datetime.date(2026, 5, 1)))
    assert request.birth_date == datetime.date(2014, 3, 1)


def test_a_pemula_of_12_who_is_not_married_is_refused_not_read_as_112(office, operator):
    with nothing_written(match="Pemohon baru berusia 17 tahun pada 01-03-2031"):
        submit(office, operator, kind=Kind.NEW, nik=make_nik(datetime.date(2014, 3, 1)),
               at=noon(datetime.date(2026, 5, 1)))


# Permissions


def test_an_operator_of_another_office_cannot_register_here(office, other_operator):
    with nothing_written(PermissionDenied):
        submit(office, other_operator)


def test_a_viewer_cannot_register(office, viewer):
    with nothing_written(PermissionDenied):
        submit(office, viewer)


def test_a_counter_request_needs_a_user(office):
    with nothing_written(PermissionDenied):
        submit(office, None, channel=Channel.COUNTER)


@pytest.mark.parametrize("action", ["verify", "reject", "cancel", "deliver"])
def test_a_viewer_and_another_office_cannot_process(office, operator, viewer, other_operator,
                                                    action):
    request = submit(office, operator)
    calls = {
        "verify": lambda by: verify(request, by),
        "reject": lambda by: services.reject_request(request=request, by=by, reason="x"),
        "cancel": lambda by: services.cancel_request(request=request, by=by),
        "deliver": lambda by: services.deliver_request(request=request, by=by),
    }
    for user in (viewer, other_operator):
        with nothing_written(PermissionDenied):
            calls[action](user)


# Verifying


def test_verifying_checks_the_documents_and_writes_an_event(office, operator):
    request = submit(office, operator, kind=Kind.LOST)
    at = timezone.now().replace(microsecond=0)
    services.verify_request(
        request=request, by=operator, biometrics_recorded=True, note="Dokumen asli dilihat",
        documents={"kk": True, "police_report": True, "unknown": True}, at=at,
    )
    request.refresh_from_db()
    assert request.status == Status.VERIFIED
    assert request.verified_at == at
    assert request.biometrics_recorded is True
    assert request.documents == {"kk": True, "police_report": True}
    event = request.events.get(to_status=Status.VERIFIED)
    assert (event.from_status, event.to_status, event.by, event.at, event.note) == (
        Status.SUBMITTED, Status.VERIFIED, operator, at, "Dokumen asli dilihat")


@pytest.mark.parametrize("documents, missing", [
    ({}, "Kartu Keluarga (KK), Surat keterangan kehilangan dari kepolisian"),
    ({"kk": True}, "Surat keterangan kehilangan dari kepolisian"),
    ({"kk": True, "police_report": False}, "Surat keterangan kehilangan dari kepolisian"),
    ({"police_report": True, "damaged_card": True}, "Kartu Keluarga (KK)"),
])
def test_verifying_with_missing_documents_is_refused(office, operator, documents, missing):
    request = submit(office, operator, kind=Kind.LOST)
    with nothing_written() as info:
        services.verify_request(request=request, by=operator, documents=documents)
    assert error_dict(info) == {"documents": [f"Dokumen belum lengkap: {missing}."]}


@pytest.mark.parametrize("note, message", [
    ("ok\x00", "Catatan mengandung karakter yang tidak sah."),
    ("x" * 501, "Catatan terlalu panjang (maksimal 500 karakter)."),
])
def test_a_verification_or_delivery_note_must_be_plain_text(office, operator, give_stock, note,
                                                            message):
    request = submit(office, operator)
    with nothing_written() as info:
        verify(request, operator, note=note)
    assert error_dict(info) == {"note": [message]}
    verify(request, operator, note="  Dokumen   lengkap ")
    assert request.events.get(to_status=Status.VERIFIED).note == "Dokumen lengkap"
    give_stock(office, 1)
    services.print_card(request=request, by=operator)
    with nothing_written() as info:
        services.deliver_request(request=request, by=operator, note=note)
    assert error_dict(info) == {"note": [message]}


def test_only_a_submitted_request_can_be_verified(office, operator):
    request = verified(office, operator)
    with nothing_written(match="status permohonan .* adalah Terverifikasi"):
        verify(request, operator)


# Delivering, rejecting, cancelling


def test_only_a_printed_request_can_be_delivered(office, operator, give_stock):
    request = submit(office, operator)
    with nothing_written(match="adalah Diajukan"):
        services.deliver_request(request=request, by=operator)
    verify(request, operator)
    with nothing_written(match="adalah Terverifikasi"):
        services.deliver_request(request=request, by=operator)
    give_stock(office, 1)
    services.print_card(request=request, by=operator)
    at = timezone.now().replace(microsecond=0)
    delivered = services.deliver_request(request=request, by=operator, note="Diambil sendiri",
                                         at=at)
    assert delivered.status == Status.DELIVERED
    assert delivered.delivered_at == delivered.closed_at == at
    with nothing_written(match="adalah Diserahkan"):
        services.deliver_request(request=request, by=operator)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_rejecting_needs_a_reason(office, operator, reason):
    request = submit(office, operator)
    with nothing_written() as info:
        services.reject_request(request=request, by=operator, reason=reason)
    assert error_dict(info) == {"reason": ["Alasan penolakan wajib diisi."]}


def test_a_rejection_reason_over_500_characters_is_refused(office, operator):
    request = submit(office, operator)
    with nothing_written(match="Alasan terlalu panjang \\(maksimal 500 karakter\\)"):
        services.reject_request(request=request, by=operator, reason="x" * 501)


@pytest.mark.parametrize("reason", ["KK\x00palsu", "Alasan\x07"])
def test_a_rejection_or_cancellation_reason_with_control_characters_is_refused(office, operator,
                                                                               reason):
    request = submit(office, operator)
    with nothing_written(match="Alasan mengandung karakter yang tidak sah."):
        services.reject_request(request=request, by=operator, reason=reason)
    with nothing_written(match="Alasan mengandung karakter yang tidak sah."):
        services.cancel_request(request=request, by=operator, reason=reason)


@pytest.mark.parametrize("verify_first", [False, True])
def test_rejecting_closes_the_request_with_the_reason(office, operator, verify_first):
    request = verified(office, operator) if verify_first else submit(office, operator)
    before = request.status
    rejected = services.reject_request(request=request, by=operator,
                                       reason="  KK tidak sesuai  dengan data ")
    assert rejected.status == Status.REJECTED
    assert rejected.rejection_reason == "KK tidak sesuai dengan data"
    assert rejected.closed_at is not None
    event = rejected.events.last()
    assert (event.from_status, event.to_status, event.note, event.by) == (
        before, Status.REJECTED, "KK tidak sesuai dengan data", operator)


def test_a_printed_request_cannot_be_rejected_or_cancelled(office, operator, give_stock):
    give_stock(office, 1)
    request = verified(office, operator)
    services.print_card(request=request, by=operator)
    with nothing_written(match="adalah Dicetak"):
        services.reject_request(request=request, by=operator, reason="Terlambat")
    with nothing_written(match="adalah Dicetak"):
        services.cancel_request(request=request, by=operator)


@pytest.mark.parametrize("verify_first", [False, True])
def test_cancelling_closes_the_request(office, operator, verify_first):
    request = verified(office, operator) if verify_first else submit(office, operator)
    cancelled = services.cancel_request(request=request, by=operator, reason="Pemohon pindah")
    assert cancelled.status == Status.CANCELLED
    assert cancelled.closed_at is not None
    assert cancelled.events.last().note == "Pemohon pindah"
    with nothing_written(match="adalah Dibatalkan"):
        services.cancel_request(request=request, by=operator)


def test_every_transition_writes_an_event_with_who_when_from_and_to(office, operator,
                                                                    second_operator, give_stock):
    give_stock(office, 1)
    start = timezone.now()
    request = submit(office, None)
    verify(request, operator)
    services.print_card(request=request, by=second_operator)
    services.deliver_request(request=request, by=operator)
    events = list(request.events.order_by("at", "id"))
    assert [(e.from_status, e.to_status, e.by) for e in events] == [
        ("", Status.SUBMITTED, None),
        (Status.SUBMITTED, Status.VERIFIED, operator),
        (Status.VERIFIED, Status.PRINTED, second_operator),
        (Status.PRINTED, Status.DELIVERED, operator),
    ]
    assert all(start <= e.at <= timezone.now() for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_a_refused_transition_writes_no_event(office, operator):
    request = submit(office, operator)
    with pytest.raises(ValidationError):
        services.deliver_request(request=request, by=operator)
    assert request.events.count() == 1


# A suket makes a tier-4 request "pengganti suket" (tier 3)


def test_a_suket_moves_a_tier_4_request_to_tier_3_with_an_event(office, operator):
    request = verified(office, operator)
    assert (request.priority_tier, request.replaces_suket) == (4, False)
    suket = services.issue_suket(request=request, by=operator)
    request.refresh_from_db()
    assert (request.priority_tier, request.replaces_suket) == (3, True)
    event = request.events.last()
    assert (event.from_status, event.to_status, event.by) == (
        Status.VERIFIED, Status.VERIFIED, operator)
    assert event.note == (
        f"Suket {suket.number} diterbitkan, berlaku s.d. {suket.valid_until:%d-%m-%Y}. "
        "Prioritas cetak berubah dari 4 · Lainnya menjadi 3 · Pengganti suket.")
    assert request.events.count() == 3  # submitted, verified, the suket


def test_after_its_suket_a_request_is_served_before_the_older_tier_4_requests(office,
                                                                             operator):
    older = verified(office, operator, at=noon(today() - datetime.timedelta(days=3)))
    newer = verified(office, operator, at=noon(today() - datetime.timedelta(days=1)))
    assert list(selectors.print_queue(office=office)) == [older, newer]
    services.issue_suket(request=newer, by=operator)
    assert list(selectors.print_queue(office=office)) == [newer, older]
    assert selectors.waiting_by_tier(office=office, today=today()) == {3: 1, 4: 1}


@pytest.mark.parametrize("kwargs, tier, flag", [
    ({"kind": Kind.NEW}, 1, False),  # a pemula keeps tier 1
    ({"disaster_victim": True}, 2, False),
    ({"replaces_suket": True}, 3, True),
])
def test_a_suket_leaves_tiers_1_to_3_as_they_were(office, operator, kwargs, tier, flag):
    request = verified(office, operator, **kwargs)
    assert request.priority_tier == tier
    suket = services.issue_suket(request=request, by=operator)
    request.refresh_from_db()
    assert (request.priority_tier, request.replaces_suket) == (tier, flag)
    assert request.events.last().note == (
        f"Suket {suket.number} diterbitkan, berlaku s.d. {suket.valid_until:%d-%m-%Y}.")


def test_a_second_suket_after_the_first_expired_changes_no_tier(office, operator):
    request = verified(office, operator)
    services.issue_suket(request=request, by=operator,
                         at=noon(today() - datetime.timedelta(days=200)))
    services.issue_suket(request=request, by=operator)
    request.refresh_from_db()
    assert request.priority_tier == 3
    assert "Prioritas" not in request.events.last().note


def test_a_refused_suket_changes_no_tier(office, operator, give_stock):
    give_stock(office, 1)  # a blank is available: no suket
    request = verified(office, operator)
    with nothing_written(match="Blanko tersedia"):
        services.issue_suket(request=request, by=operator)
    request.refresh_from_db()
    assert (request.priority_tier, request.replaces_suket) == (4, False)


def test_the_registration_form_sent_again_after_a_suket_returns_its_request(office, operator):
    nik = adult_nik()
    request = submit(office, operator, nik=nik, submission_key="k" * 32)
    verify(request, operator)
    services.issue_suket(request=request, by=operator)
    again = submit(office, operator, nik=nik, submission_key="k" * 32)
    assert again.pk == request.pk
    with nothing_written(match="sudah pernah dikirim dengan data yang berbeda"):
        submit(office, operator, nik=nik, submission_key="k" * 32, full_name="Orang Lain")
