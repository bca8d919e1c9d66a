"""blanko.services.checks: the checks every ledger service shares."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import translation

from blanko import services
from blanko.models import Movement
from blanko.services.checks import (
    NOTE_MAX_LENGTH,
    clean_line,
    clean_note,
    duplicate_refused,
    is_replay,
    refuse_if_taken,
    validate_cause,
)
from tests.blanko.helpers import refused

ROOT = Path(__file__).resolve().parents[2]
NOTE = "Baris satu \u200b\r\n\r\n\r\nBaris\t dua "
CLEAN_NOTE = "Baris satu\n\nBaris dua"


@pytest.fixture(autouse=True)
def indonesian():
    """The messages are checked in Indonesian, whatever an earlier test left active."""
    with translation.override("id"):
        yield


def test_a_note_is_cleaned_and_keeps_its_line_breaks():
    assert clean_note(NOTE) == CLEAN_NOTE
    assert clean_note(None) == ""


def test_a_one_line_text_loses_its_line_breaks():
    assert clean_line(NOTE, field="reason", label="Alasan") == "Baris satu Baris dua"


def test_a_long_note_is_refused_with_one_message():
    assert clean_note("x" * NOTE_MAX_LENGTH) == "x" * NOTE_MAX_LENGTH
    with pytest.raises(ValidationError) as info:
        clean_note("x" * (NOTE_MAX_LENGTH + 1))
    assert info.value.message_dict == {
        "note": ["Catatan terlalu panjang (maksimal 500 karakter)."]}
    assert info.value.error_dict["note"][0].code == "max_length"


def test_a_long_line_names_its_field():
    with pytest.raises(ValidationError) as info:
        clean_line("1" * 41, field="serial_start", label="Nomor seri", max_length=40)
    assert info.value.message_dict == {
        "serial_start": ["Nomor seri terlalu panjang (maksimal 40 karakter)."]}


def test_an_unknown_cause_is_refused():
    assert validate_cause(Movement.Cause.PRINT_FAILED) == Movement.Cause.PRINT_FAILED
    with pytest.raises(ValidationError, match="penyebab kerusakan"):
        validate_cause("kopi tumpah")


@pytest.mark.parametrize("post", [
    lambda office, by, note: services.spoil_blank(
        office=office, by=by, cause=Movement.Cause.PRINT_FAILED, note=note),
    lambda office, by, note: services.spoil_issued_card(
        office=office, by=by, cause=Movement.Cause.PRINT_FAILED, note=note),
    lambda office, by, note: services.post_movement(
        from_location=services.office_location(office, "stock"),
        to_location=services.office_location(office, "issued"), quantity=1,
        reason=Movement.Reason.ISSUE, by=by, note=note),
], ids=["spoil_blank", "spoil_issued_card", "post_movement"])
def test_every_note_follows_the_same_rules(stocked, operator, post):
    services.issue_blank(office=stocked, by=operator)  # a card for spoil_issued_card

    movement = post(stocked, operator, NOTE)

    assert Movement.objects.get(pk=movement.pk).note == CLEAN_NOTE


@pytest.mark.parametrize("post", [
    lambda office, by, note: services.spoil_blank(
        office=office, by=by, cause=Movement.Cause.PRINT_FAILED, note=note),
    lambda office, by, note: services.spoil_issued_card(
        office=office, by=by, cause=Movement.Cause.PRINT_FAILED, note=note),
], ids=["spoil_blank", "spoil_issued_card"])
def test_every_long_note_is_refused_alike(stocked, operator, post):
    services.issue_blank(office=stocked, by=operator)

    with refused(match=r"Catatan terlalu panjang \(maksimal 500 karakter\)"):
        post(stocked, operator, "x" * 501)


def test_a_key_is_a_replay_once_a_movement_was_posted_under_it(stocked, operator):
    assert not is_replay(None) and not is_replay("")
    assert not is_replay("klik-1")
    services.issue_blank(office=stocked, by=operator, idempotency_key="klik-1")
    assert is_replay("klik-1")


def test_a_taken_natural_key_is_refused_before_writing():
    duplicate = ValidationError("sudah dipakai", code="duplicate")
    refuse_if_taken(lambda: False, duplicate)
    with pytest.raises(ValidationError) as info:
        refuse_if_taken(lambda: True, duplicate)
    assert info.value is duplicate


def test_a_unique_violation_on_a_taken_key_becomes_the_refusal():
    duplicate = ValidationError("sudah dipakai", code="duplicate")
    with pytest.raises(ValidationError) as info, duplicate_refused(lambda: True, duplicate):
        raise IntegrityError("duplicate key value violates unique constraint")
    assert info.value is duplicate
    assert info.value.__cause__ is None


def test_any_other_integrity_error_is_raised_as_it_is():
    duplicate = ValidationError("sudah dipakai", code="duplicate")
    with pytest.raises(IntegrityError), duplicate_refused(lambda: False, duplicate):
        raise IntegrityError("some other constraint")


def private_imports(package: str) -> list[str]:
    """`from x import _y` in the modules of a package: another module's privates."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                found += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                          for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    return found


def test_no_ledger_module_imports_another_modules_privates():
    assert private_imports("blanko") == []
