"""The ledger's tables defend themselves: append-only movements, CHECKs in the database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from blanko import services
from blanko.models import AppendOnlyError, Balance, Location, Movement, MovementCause, Office
from blanko.services.posting import today

Kind = Location.Kind


@pytest.fixture
def movement(stocked, operator):
    return services.issue_blank(office=stocked, by=operator)


def test_creating_an_office_creates_its_locations_and_balances(db):
    office = services.create_office(code="2172", name="")
    assert office.name == "Kota Tanjung Pinang"  # taken from the region list
    kinds = set(Location.objects.filter(office=office).values_list("kind", flat=True))
    assert kinds == set(Location.OFFICE_KINDS)
    balanced = set(Balance.objects.filter(location__office=office)
                   .values_list("location__kind", flat=True))
    assert balanced == {Kind.STOCK, Kind.SPOILED, Kind.TRANSIT}


@pytest.mark.parametrize("code", ["217", "21720", "abcd", "２１７２", ""])
def test_an_office_code_is_four_ascii_digits(db, code):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="4 digit"):
        services.create_office(code=code, name="X")
    assert not Office.objects.exists()


def test_an_office_code_is_unique(office):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="sudah ada"):
        services.create_office(code="2172", name="Lagi")


def test_a_saved_movement_cannot_be_saved_again(movement):
    movement.quantity = 5
    with pytest.raises(AppendOnlyError, match="tidak boleh diubah"):
        movement.save()
    assert Movement.objects.get(pk=movement.pk).quantity == 1


def test_a_movement_cannot_be_deleted(movement):
    with pytest.raises(AppendOnlyError, match="tidak boleh dihapus"):
        movement.delete()
    assert Movement.objects.filter(pk=movement.pk).exists()


def test_movements_cannot_be_updated_or_deleted_in_bulk(movement):
    with pytest.raises(AppendOnlyError):
        Movement.objects.filter(pk=movement.pk).update(quantity=7)
    with pytest.raises(AppendOnlyError):
        Movement.objects.all().delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        Movement.objects.bulk_update([movement], ["quantity"])
    assert Movement.objects.get(pk=movement.pk).quantity == 1


@pytest.mark.parametrize("statement", [
    "UPDATE blanko_movement SET quantity = 5 WHERE id = %s",
    "DELETE FROM blanko_movement WHERE id = %s",
])
def test_the_database_refuses_raw_updates_and_deletes_of_movements(
    postgres_only, movement, statement
):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement, [movement.pk])
    assert Movement.objects.get(pk=movement.pk).quantity == 1


def test_the_database_refuses_a_negative_balance(office):
    stock = services.office_location(office, Kind.STOCK)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE blanko_balance SET quantity = -1 WHERE location_id = %s",
                       [stock.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Balance.objects.filter(location=stock).update(quantity=-1)
    assert Balance.objects.get(location=stock).quantity == 0


def test_the_database_refuses_inserting_a_negative_balance(db):
    location = Location.objects.create(code="SOURCE-X", name="X", kind=Kind.SOURCE)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO blanko_balance (location_id, quantity, updated_at) "
            "VALUES (%s, -5, CURRENT_TIMESTAMP)", [location.pk])
    assert not Balance.objects.filter(location=location).exists()


def _raw_movement(office, operator, **overrides) -> dict:
    values = {
        "from_location": services.office_location(office, Kind.STOCK),
        "to_location": services.office_location(office, Kind.ISSUED),
        "quantity": 1, "reason": Movement.Reason.ISSUE, "occurred_on": today(),
        "recorded_by": operator,
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize(("field", "value"), [
    ("quantity", 0),
    ("quantity", 10_000_001),
    ("cause", Movement.Cause.DAMAGED),  # a cause belongs to a spoil only
    ("reason", Movement.Reason.REVERSAL),  # a reversal must link its original
])
def test_the_database_refuses_an_impossible_movement(office, operator, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.create(**_raw_movement(office, operator, **{field: value}))
    assert not Movement.objects.exists()


def test_the_database_refuses_a_movement_of_quantity_zero_by_raw_sql(office, operator):
    stock = services.office_location(office, Kind.STOCK)
    issued = services.office_location(office, Kind.ISSUED)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO blanko_movement (from_location_id, to_location_id, quantity, reason, "
            "cause, occurred_on, recorded_at, recorded_by_id, reference, note, fingerprint) "
            "VALUES (%s, %s, 0, 'issue', '', %s, CURRENT_TIMESTAMP, %s, '', '', '')",
            [stock.pk, issued.pk, today(), operator.pk])
    assert not Movement.objects.exists()


def test_the_database_refuses_a_movement_to_the_same_location(office, operator):
    stock = services.office_location(office, Kind.STOCK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.create(**_raw_movement(office, operator, to_location=stock))


def test_the_database_refuses_a_second_reversal_of_the_same_movement(movement, supervisor):
    services.reverse_movement(movement=movement, by=supervisor, reason="keliru")
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.create(**_raw_movement(
            movement.from_location.office, supervisor, from_location=movement.to_location,
            to_location=movement.from_location, reason=Movement.Reason.REVERSAL,
            reverses=movement))


def test_a_spoil_needs_a_cause_in_the_database(office, operator):
    spoiled = services.office_location(office, Kind.SPOILED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Movement.objects.create(**_raw_movement(office, operator, to_location=spoiled,
                                                reason=Movement.Reason.SPOIL))


def test_a_movement_knows_its_signed_effect(movement):
    assert movement.delta_for(movement.to_location_id) == 1
    assert movement.delta_for(movement.from_location_id) == -1
    assert movement.delta_for(-1) == 0
    assert str(movement) == f"#{movement.pk} Dicetak untuk penduduk 1"


def test_the_spoil_causes_are_named_without_the_movement_model():
    """Other apps take the causes from MovementCause; Movement.Cause is the same class."""
    assert Movement.Cause is MovementCause
    assert Movement._meta.get_field("cause").choices == MovementCause.choices
    assert MovementCause.values == ["print_failed", "encode_failed", "damaged", "invalid"]
