"""The fast table filters give the text of the Django filters they stand in for."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils import translation

from layanan.templatetags.layanan_tags import grouped, one_decimal, short_date

INTEGERS = [0, 7, 999, 1000, 6000, 12345, 1_000_000, -2500]
DECIMALS = [Fraction(209, 28), Fraction(1, 20), Fraction(3, 20), Decimal("105.9"),
            Decimal("0.25"), Fraction(10**6, 3), 0, 2.45]
DAYS = [datetime.date(2020, month, day) for month, day in ((1, 1), (5, 9), (8, 17), (12, 31))]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_fast_filters_match_intcomma_floatformat_and_date(language, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override(language):
        assert [grouped(n) for n in INTEGERS] == [intcomma(n) for n in INTEGERS]
        assert [one_decimal(x) for x in DECIMALS] == [floatformat(x, 1) for x in DECIMALS]
        assert [short_date(d) for d in DAYS] == [date_filter(d, "j M Y") for d in DAYS]
    assert grouped(None) == one_decimal(None) == short_date(None) == ""


def test_indonesian_text_is_what_the_office_reads():
    with translation.override("id"):
        assert (grouped(6000), one_decimal(Fraction(209, 28)), short_date(DAYS[2])) == (
            "6.000", "7,5", "17 Agu 2020")
