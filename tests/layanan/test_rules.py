"""Priority tiers, dates and documents: the pure rules, no database."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from layanan import rules
from layanan.models import ServiceRequest

Kind = ServiceRequest.Kind
Tier = ServiceRequest.Tier


@pytest.mark.parametrize("disaster_victim", [False, True])
@pytest.mark.parametrize("replaces_suket", [False, True])
def test_a_first_time_applicant_is_always_tier_1(disaster_victim, replaces_suket):
    assert rules.priority_tier(kind=Kind.NEW, disaster_victim=disaster_victim,
                               replaces_suket=replaces_suket) == Tier.FIRST_TIME == 1


@pytest.mark.parametrize("kind", [Kind.DAMAGED, Kind.LOST, Kind.DATA_CHANGE, Kind.RELOCATION])
def test_tiers_2_to_4_for_the_other_kinds(kind):
    assert rules.priority_tier(kind=kind, disaster_victim=True, replaces_suket=False) == 2
    assert rules.priority_tier(kind=kind, disaster_victim=True, replaces_suket=True) == 2
    assert rules.priority_tier(kind=kind, disaster_victim=False, replaces_suket=True) == 3
    assert rules.priority_tier(kind=kind, disaster_victim=False, replaces_suket=False) == 4


@pytest.mark.parametrize("day, months, expected", [
    (datetime.date(2026, 11, 27), 6, datetime.date(2027, 5, 27)),
    (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),  # no 31 February
    (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),  # a leap year
    (datetime.date(2026, 3, 31), 6, datetime.date(2026, 9, 30)),
    (datetime.date(2026, 7, 15), 6, datetime.date(2027, 1, 15)),  # across the year end
    (datetime.date(2026, 12, 31), 1, datetime.date(2027, 1, 31)),
    (datetime.date(2026, 1, 31), 0, datetime.date(2026, 1, 31)),
])
def test_add_months_keeps_the_day_or_takes_the_last_day_of_the_month(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_a_suket_is_valid_for_6_months():
    assert rules.SUKET_VALID_MONTHS == 6


def test_add_years_moves_29_february_to_28_february():
    assert rules.add_years(datetime.date(2008, 2, 29), 17) == datetime.date(2025, 2, 28)
    assert rules.add_years(datetime.date(2008, 2, 29), 16) == datetime.date(2024, 2, 29)
    assert rules.add_years(datetime.date(2009, 12, 9), -1) == datetime.date(2008, 12, 9)


def test_the_seventeenth_birthday():
    assert rules.seventeenth_birthday(datetime.date(2003, 12, 9)) == datetime.date(2020, 12, 9)


def test_early_registration_opens_one_calendar_year_before_the_seventeenth_birthday():
    assert rules.earliest_registration(datetime.date(2010, 11, 28)) == datetime.date(2026, 11, 28)
    assert rules.earliest_registration(datetime.date(2011, 2, 28)) == datetime.date(2027, 2, 28)


@pytest.mark.parametrize("born, married, today, expected", [
    (datetime.date(2003, 12, 9), False, datetime.date(2020, 12, 1), datetime.date(2020, 12, 9)),
    (datetime.date(2003, 12, 9), False, datetime.date(2020, 12, 9), None),  # the birthday
    (datetime.date(2003, 12, 9), False, datetime.date(2021, 1, 1), None),
    (datetime.date(2003, 12, 9), True, datetime.date(2020, 12, 1), None),  # married
])
def test_printable_from_is_the_seventeenth_birthday_unless_married(born, married, today,
                                                                   expected):
    assert rules.printable_from(birth_date=born, married=married, today=today) == expected


@pytest.mark.parametrize("kind, document", [
    (Kind.NEW, "birth_certificate"), (Kind.DAMAGED, "damaged_card"),
    (Kind.LOST, "police_report"), (Kind.DATA_CHANGE, "supporting_document"),
    (Kind.RELOCATION, "moving_certificate"),
])
def test_every_kind_needs_the_kk_and_its_own_document(kind, document):
    assert rules.required_documents(kind) == ("kk", document)
    assert set(rules.required_documents(kind)) <= set(rules.DOCUMENTS)


def test_print_blocker_agrees_with_the_reservation_rule():
    request = ServiceRequest(priority_tier=4, printable_from=None)
    day = datetime.date(2026, 11, 27)
    assert rules.print_blocker(request=request, stock=2, higher_waiting=1, today=day) is None
    assert rules.print_blocker(request=request, stock=1, higher_waiting=1,
                               today=day).code == "reserved"
    assert rules.print_blocker(request=request, stock=0, higher_waiting=0,
                               today=day).code == "no_stock"
    pemula = ServiceRequest(priority_tier=1, printable_from=None)
    assert rules.print_blocker(request=pemula, stock=1, higher_waiting=5, today=day) is None


@pytest.mark.parametrize("born, married, today, expected", [
    (datetime.date(2003, 12, 9), False, datetime.date(2020, 12, 1), datetime.date(2020, 12, 9)),
    (datetime.date(2003, 12, 9), False, datetime.date(2020, 12, 9), None),
    (datetime.date(2003, 12, 9), True, datetime.date(2020, 12, 1), None),
])
def test_eligibility_at_registration_gives_printable_from(born, married, today, expected):
    assert rules.check_eligibility(kind=Kind.NEW, birth_date=born, married=married,
                                   today=today) == expected
    assert expected == rules.printable_from(birth_date=born, married=married, today=today)


def test_eligibility_refuses_an_unmarried_minor_for_anything_but_a_first_card():
    born, today = datetime.date(2003, 12, 9), datetime.date(2020, 12, 1)
    with pytest.raises(ValidationError) as info:
        rules.check_eligibility(kind=Kind.DAMAGED, birth_date=born, married=False, today=today)
    assert list(info.value.message_dict) == ["kind"]
    assert rules.check_eligibility(kind=Kind.DAMAGED, birth_date=born, married=True,
                                   today=today) is None


def test_eligibility_refuses_a_first_card_more_than_a_year_early():
    born = datetime.date(2003, 12, 9)
    with pytest.raises(ValidationError) as info:
        rules.check_eligibility(kind=Kind.NEW, birth_date=born, married=False,
                                today=datetime.date(2019, 12, 8))
    assert info.value.message_dict == {"nik": [
        "Pemohon baru berusia 17 tahun pada 09-12-2020. Permohonan dapat diajukan paling "
        "cepat 09-12-2019."]}
    assert rules.check_eligibility(kind=Kind.NEW, birth_date=born, married=False,
                                   today=datetime.date(2019, 12, 9)) == datetime.date(2020, 12, 9)
