"""What a person types into a request (layanan.services.fields), checked field by field."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from layanan.models import ServiceRequest
from layanan.services.fields import clean_phone, clean_police_report, clean_reason

Kind = ServiceRequest.Kind


def refusal(check) -> dict:
    with pytest.raises(ValidationError) as info:
        check()
    return info.value.message_dict


def test_a_reason_is_cleaned_like_every_note_of_the_ledger():
    # Invisible characters from pasted text go, full-width letters become ASCII, runs of
    # whitespace become one space: the blanko rule for notes (clean_line).
    assert clean_reason("  KK\u200b tidak\tsesuai  ") == "KK tidak sesuai"
    assert clean_reason("ＫＫ palsu") == "KK palsu"
    assert clean_reason(None) == ""


def test_a_reason_with_a_control_character_is_refused_not_cleaned():
    assert refusal(lambda: clean_reason("KK\x00palsu")) == {
        "reason": ["Alasan mengandung karakter yang tidak sah."]}
    assert refusal(lambda: clean_reason("ok\x07", label="Catatan", field="note")) == {
        "note": ["Catatan mengandung karakter yang tidak sah."]}


def test_a_reason_is_at_most_500_characters():
    assert clean_reason("x" * 500) == "x" * 500
    assert refusal(lambda: clean_reason("x" * 501)) == {
        "reason": ["Alasan terlalu panjang (maksimal 500 karakter)."]}


def test_a_required_reason_made_only_of_invisible_characters_is_empty():
    assert refusal(lambda: clean_reason("\u200b\u200b", required_message="Wajib.")) == {
        "reason": ["Wajib."]}


def test_a_police_report_number_is_required_for_a_lost_card_only():
    assert clean_police_report("  STPL/1/XI/2026  ", kind=Kind.LOST) == "STPL/1/XI/2026"
    assert clean_police_report("", kind=Kind.DAMAGED) == ""
    assert refusal(lambda: clean_police_report(" ", kind=Kind.LOST)) == {
        "police_report_number": ["Permohonan KTP-el hilang wajib menyertakan nomor surat "
                                 "kehilangan dari kepolisian."]}


def test_every_refusal_of_a_police_report_number_is_shown_at_once():
    assert refusal(lambda: clean_police_report("\x00" + "9" * 100, kind=Kind.LOST)) == {
        "police_report_number": ["Nomor surat mengandung karakter yang tidak sah.",
                                 "Nomor surat terlalu panjang."]}


@pytest.mark.parametrize("typed", ["0812 3456 7890", "+62 812-3456-7890", "62(812)34567890"])
def test_a_phone_number_is_stored_from_its_leading_zero(typed):
    assert clean_phone(typed) == "081234567890"
