"""The NIK: 16 ASCII digits, a real birth date, a serial from 0001, a lenient region code."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from blanko.regions import all_regions
from layanan.nik import FEMALE, MALE, mask_nik, normalize_number, parse_nik, validate_kk

TODAY = datetime.date(2026, 11, 27)
KEPRI_REGENCIES = ["2101", "2102", "2103", "2104", "2105", "2171", "2172"]
KEPRI_DISTRICTS = sorted(
    code for code, r in all_regions().items() if r.level == "district" and code[:2] == "21"
)


def parse(value: str):
    return parse_nik(value, today=TODAY)


def messages(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.messages)


# Digits and length


def test_a_valid_nik_gives_region_birth_date_sex_and_serial():
    info = parse("2172014503100001")
    assert info.nik == "2172014503100001"
    assert info.region_code == "217201"
    assert info.birth_date == datetime.date(2010, 3, 5)
    assert info.sex == FEMALE
    assert info.serial == "0001"


@pytest.mark.parametrize("value", [
    "2172 0145 0310 0001", "2172.0145.0310.0001", " 2172014503100001 ", "21.72.01.450310.0001",
])
def test_spaces_and_dots_are_stripped(value):
    assert parse(value).nik == "2172014503100001"


@pytest.mark.parametrize("value, shown", [
    ("217201450310001", "15"), ("21720145031000011", "17"), ("2172", "4"),
])
def test_a_nik_must_have_exactly_16_digits(value, shown):
    with pytest.raises(ValidationError) as error:
        parse(value)
    assert messages(error) == f"NIK harus 16 digit (yang diisi {shown} digit)."


@pytest.mark.parametrize("value", [
    "21720145031000A1",  # a letter
    "2172014503l00001",  # a lower-case L for a one
    "2172O14503100001",  # a capital O for a zero
    "2172014503100001x",
    "٢١٧٢٠١٤٥٠٣١٠٠٠٠١",  # Arabic-Indic digits
    "2172014503100٠01",  # one Arabic-Indic zero
    "２１７２０１４５０３１０００１",  # fullwidth digits
    "217201450310000２",  # one fullwidth two
    "2172014503100001\x00",
    "+172014503100001",
])
def test_a_nik_accepts_only_ascii_digits(value):
    with pytest.raises(ValidationError) as error:
        parse(value)
    assert messages(error) == "NIK hanya boleh berisi angka 0-9."


@pytest.mark.parametrize("value", ["", "   ", " . . "])
def test_an_empty_nik_is_required(value):
    with pytest.raises(ValidationError, match="NIK wajib diisi"):
        parse(value)


@pytest.mark.parametrize("value", [None, 2172014503100001, b"2172014503100001"])
def test_a_nik_that_is_not_text_is_refused_with_a_message(value):
    with pytest.raises(ValidationError, match="NIK harus berupa teks angka"):
        parse(value)


def test_an_all_zero_nik_is_refused():
    with pytest.raises(ValidationError) as error:
        parse("0000000000000000")
    assert messages(error) == "NIK tidak boleh semuanya nol."


# The birth date (digits 7-12)


@pytest.mark.parametrize("ddmmyy", [
    "320190",  # day 32
    "000190",  # day 0
    "401090",  # day 40: too big for a man, too small for a woman
    "151390",  # month 13
    "150090",  # month 0
    "300290",  # 30 February
    "290201",  # 29 February in a year that is not a leap year
    "310490",  # 31 April
    "720190",  # 72 - 40 = 32
    "700290",  # 70 - 40 = 30 February
    "710490",  # 71 - 40 = 31 April
    "990190",
])
def test_an_impossible_birth_date_is_refused(ddmmyy):
    with pytest.raises(ValidationError) as error:
        parse(f"217201{ddmmyy}0001")
    assert messages(error) == "Tanggal lahir dalam NIK (digit 7-12) tidak valid."


@pytest.mark.parametrize("ddmmyy, born, sex", [
    ("010190", datetime.date(1990, 1, 1), MALE),
    ("310190", datetime.date(1990, 1, 31), MALE),
    ("410190", datetime.date(1990, 1, 1), FEMALE),
    ("710190", datetime.date(1990, 1, 31), FEMALE),  # 31 + 40: the largest day there is
    ("290200", datetime.date(2000, 2, 29), MALE),
    ("690200", datetime.date(2000, 2, 29), FEMALE),
    ("281299", datetime.date(1999, 12, 28), MALE),
])
def test_the_birth_date_and_sex_come_from_digits_7_to_12(ddmmyy, born, sex):
    info = parse(f"217201{ddmmyy}0001")
    assert (info.birth_date, info.sex) == (born, sex)


def test_40_added_to_the_day_means_female():
    assert parse("2172011508900001").sex == MALE
    assert parse("2172015508900001").sex == FEMALE
    assert parse("2172015508900001").birth_date == datetime.date(1990, 8, 15)


@pytest.mark.parametrize("yy, year", [
    ("00", 2000), ("10", 2010), ("16", 2016),  # 26, 16 and 10 years old on 1 January
    ("17", 1917), ("25", 1925), ("26", 1926),  # 9, 1 and 0 in the 2000s: 109, 101, 100
    ("27", 1927), ("50", 1950), ("99", 1999),  # after this year: the 1900s
])
def test_the_century_makes_the_person_10_to_109_years_old(yy, year):
    assert parse(f"2172010101{yy}0001").birth_date == datetime.date(year, 1, 1)


# TODAY is 27 November 2026: who turns 10 today was born on 27-11-2016.


def test_the_2000s_reading_wins_from_the_10th_birthday():
    info = parse("2172012711160001")
    assert info.birth_date == datetime.date(2016, 11, 27)
    assert info.warnings == ()


def test_the_day_before_the_10th_birthday_the_1900s_reading_wins_with_a_warning():
    info = parse("2172012811160001")
    assert info.birth_date == datetime.date(1916, 11, 28)  # 109 years old
    assert info.warnings == (
        "Tanggal lahir dalam NIK dibaca 28-11-1916 (usia 109 tahun), bukan 28-11-2016 "
        "(usia 9 tahun). Pastikan NIK ini milik pemohon.",)


def test_someone_born_in_1925_is_read_as_101_not_as_a_baby():
    info = parse_nik("2172010103250001", today=datetime.date(2026, 5, 1))
    assert info.birth_date == datetime.date(1925, 3, 1)
    assert "usia 101 tahun" in info.warnings[0]


def test_a_day_and_month_after_today_in_this_year_are_read_in_the_1900s_not_the_future():
    info = parse_nik("2172011512260001", today=datetime.date(2026, 12, 1))
    assert info.birth_date == datetime.date(1926, 12, 15)  # 99 years old
    assert info.warnings == ()  # 2026 was no possible reading: nothing to doubt
    assert parse("2172012811260001").birth_date == datetime.date(1926, 11, 28)  # TODAY + 1
    assert parse("2172017112260001").birth_date == datetime.date(1926, 12, 31)  # a girl


def test_someone_aged_17_born_in_2009_is_read_as_2009():
    info = parse("2172012711090001")
    assert info.birth_date == datetime.date(2009, 11, 27)
    assert info.warnings == ()


def test_a_minor_of_10_to_16_is_read_as_a_minor_so_that_the_age_rule_can_refuse_them():
    assert parse("2172012811100001").birth_date == datetime.date(2010, 11, 28)  # 15
    assert parse("2172012711140001").birth_date == datetime.date(2014, 11, 27)  # 12, not 112


def test_on_the_120th_birthday_of_the_1900s_reading_the_2000s_one_is_taken():
    assert parse("2172012711060001").birth_date == datetime.date(2006, 11, 27)  # not 120
    assert parse("2172012811060001").birth_date == datetime.date(2006, 11, 28)  # not 119


def test_age_120_or_more_is_refused_and_119_accepted():
    # Far from today both readings can be old: on 27-11-2126 the 2006 reading is 120.
    with pytest.raises(ValidationError) as error:
        parse_nik("2172012711060001", today=datetime.date(2126, 11, 27))
    assert messages(error) == "Tanggal lahir dalam NIK berarti usia 120 tahun atau lebih."
    assert error.value.code == "too_old"
    assert parse_nik("2172012811060001", today=datetime.date(2126, 11, 27)).birth_date == (
        datetime.date(2006, 11, 28))  # 119


def test_29_february_00_is_only_a_date_in_2000():
    # 1900 was no leap year: the one possible reading is taken, even under 10 years old.
    info = parse_nik("2172012902000001", today=datetime.date(2009, 3, 1))
    assert info.birth_date == datetime.date(2000, 2, 29)
    assert info.warnings == ()


def test_a_birth_date_of_today_is_accepted_and_tomorrow_is_in_the_future():
    # Only the day of the check before 2000 makes a date of the future: both readings
    # after it. 29-02-00 has one reading (2000), so it can be born "today".
    assert parse_nik("2172012902000001", today=datetime.date(2000, 2, 29)).birth_date == (
        datetime.date(2000, 2, 29))
    with pytest.raises(ValidationError) as error:
        parse_nik("2172012902000001", today=datetime.date(2000, 2, 28))
    assert messages(error) == "Tanggal lahir dalam NIK ada di masa depan."
    assert error.value.code == "future_date"
    with pytest.raises(ValidationError, match="masa depan"):
        parse_nik("2172017112990001", today=datetime.date(1999, 12, 30))  # a girl, 31-12-99


def test_the_birth_date_is_read_as_on_the_day_of_the_check():
    nik = "2172010101180001"
    assert parse_nik(nik, today=datetime.date(2027, 12, 31)).birth_date.year == 1918  # 9/109
    assert parse_nik(nik, today=datetime.date(2028, 1, 1)).birth_date.year == 2018  # 10


def test_parse_nik_uses_the_local_date_when_no_day_is_given():
    from django.utils import timezone

    today = timezone.localdate()
    born = today.replace(year=today.year - 20) if (today.month, today.day) != (2, 29) else (
        datetime.date(today.year - 20, 2, 28))
    info = parse_nik(f"217201{born:%d%m%y}0001")
    assert info.birth_date == born


# The serial (digits 13-16)


def test_the_serial_starts_at_0001():
    with pytest.raises(ValidationError) as error:
        parse("2172010101900000")
    assert messages(error) == "Nomor urut NIK (digit 13-16) dimulai dari 0001."
    assert parse("2172010101909999").serial == "9999"


# The region code: named when known, a warning (never a refusal) when not


@pytest.mark.parametrize("regency", KEPRI_REGENCIES)
def test_every_kepulauan_riau_kab_kota_has_its_kecamatan_named(regency):
    districts = [code for code in KEPRI_DISTRICTS if code.startswith(regency)]
    assert districts, f"no kecamatan for {regency} in wilayah.csv"
    for code in districts:
        info = parse(f"{code}0101900001")
        assert info.warnings == ()
        assert info.province_name == "Kepulauan Riau"
        assert info.regency_name == all_regions()[regency].name
        assert info.district_name == all_regions()[code].name
        assert info.region_label.endswith("Kepulauan Riau")


def test_tanjungpinang_and_batam_are_named():
    assert parse("2172010101900001").regency_name == "Kota Tanjung Pinang"
    assert parse("2171010101900001").regency_name == "Kota Batam"
    assert parse("2172010101900001").region_label == (
        "Tanjung Pinang Barat, Kota Tanjung Pinang, Kepulauan Riau")


@pytest.mark.parametrize("code", ["999999", "217299", "210000", "000001"])
def test_an_unknown_region_code_gives_a_warning_and_is_not_refused(code):
    info = parse(f"{code}0101900001")
    assert info.region_code == code
    assert info.birth_date == datetime.date(1990, 1, 1)
    assert len(info.warnings) == 1
    assert f"{code[:2]}.{code[2:4]}.{code[4:]}" in info.warnings[0]
    assert "tidak ada dalam daftar wilayah" in info.warnings[0]
    assert info.district_name == ""


def test_a_known_kab_kota_with_an_unknown_kecamatan_is_still_named():
    info = parse("2172990101900001")
    assert info.regency_name == "Kota Tanjung Pinang"
    assert info.warnings


# The KK number and masking


def test_validate_kk_needs_16_digits_and_strips_separators():
    assert validate_kk("2172 0101.0190 0001") == "2172010101900001"
    with pytest.raises(ValidationError, match="Nomor KK harus 16 digit"):
        validate_kk("217201010190001")
    with pytest.raises(ValidationError, match="Nomor KK hanya boleh berisi angka"):
        validate_kk("21720101019000AB")
    with pytest.raises(ValidationError, match="Nomor KK tidak boleh semuanya nol"):
        validate_kk("0" * 16)


def test_normalize_number_names_the_field_in_its_message():
    with pytest.raises(ValidationError, match="^\\['Nomor X wajib diisi.'\\]$"):
        normalize_number("", label="Nomor X")


def test_mask_nik_shows_only_the_region_and_the_serial():
    assert mask_nik("2172014503100001") == "2172 •••• •••• 0001"
    assert "450310" not in mask_nik("2172014503100001")


@pytest.mark.parametrize("value", ["", "2172", "21720145031000011"])
def test_mask_nik_hides_everything_when_the_value_is_not_a_nik(value):
    assert mask_nik(value) == "••••"


# Properties


@settings(max_examples=200, deadline=None)
@given(
    # Whoever is 10 to 109 years old on TODAY.
    born=st.dates(min_value=datetime.date(1916, 11, 28), max_value=datetime.date(2016, 11, 27)),
    female=st.booleans(),
    district=st.sampled_from(KEPRI_DISTRICTS),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_any_valid_nik_round_trips_its_birth_date_and_sex(born, female, district, serial):
    nik = f"{district}{born.day + (40 if female else 0):02d}{born:%m%y}{serial:04d}"
    info = parse(nik)
    assert info.birth_date == born
    assert info.sex == (FEMALE if female else MALE)
    assert info.serial == f"{serial:04d}"
    assert info.region_code == district
    # A warning only for those of 100 or more: a child under 10 in the other reading.
    assert len(info.warnings) == (1 if born <= datetime.date(1926, 11, 27) else 0)
    assert mask_nik(info.nik) == f"{nik[:4]} •••• •••• {nik[12:]}"


def _age(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@settings(max_examples=300, deadline=None)
@given(
    born=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    today=st.dates(min_value=datetime.date(2010, 1, 1), max_value=datetime.date(2099, 12, 31)),
)
def test_the_birth_year_is_the_one_reading_of_its_two_digits_aged_10_to_109(born, today):
    if (born.month, born.day) == (2, 29):
        born = born.replace(day=28)  # 29 February: see test_29_february_00_...
    info = parse_nik(f"217201{born:%d%m%y}0001", today=today)
    assert (info.birth_date.day, info.birth_date.month) == (born.day, born.month)
    assert info.birth_date.year % 100 == born.year % 100
    assert info.birth_date.year in (1900 + born.year % 100, 2000 + born.year % 100)
    assert info.birth_date <= today
    assert 10 <= _age(info.birth_date, today) <= 109


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"[0-9 .]{10,25}", fullmatch=True))
def test_any_text_either_parses_or_gives_a_validation_error(value):
    try:
        info = parse(value)
    except ValidationError as error:
        assert error.messages and all(m.strip() for m in error.messages)
    else:
        assert len(info.nik) == 16 and info.nik.isascii() and info.nik.isdigit()
        assert info.birth_date <= TODAY
        assert info.serial != "0000"
