"""The charts: SVG drawn on the server, each an image named by its title and
summarised by its description, with the figures a screen reader needs."""

from __future__ import annotations

import datetime

import pytest

from blanko.selectors import Day
from layanan.supervision import charts
from layanan.supervision.charts import flow_chart, stock_chart
from layanan.supervision.dashboard import office_dashboard
from tests.layanan.supervision import scenarios
from tests.layanan.supervision.scenarios import AS_OF, LATER, D


@pytest.fixture
def scenario(office, other_office, supervisor, other_supervisor):
    return scenarios.march(office, other_office, supervisor, other_supervisor)


def series_of(*points: tuple[int, int, int]) -> list[Day]:
    """Days from 1 March 2024, one per (stock, received, used)."""
    start = D(2024, 3, 1)
    return [Day(start + datetime.timedelta(days=n), *point) for n, point in enumerate(points)]


def test_charts_are_named_described_images(office, scenario):
    series = office_dashboard(office=office, as_of=AS_OF, today=LATER).series
    for chart in (stock_chart(series), flow_chart(series)):
        assert chart.svg.startswith("<svg")
        assert 'role="img"' in chart.svg and "aria-labelledby=" in chart.svg
        assert "<title id=" in chart.svg and "<desc id=" in chart.svg
    assert "akhir 572" in stock_chart(series).summary


@pytest.mark.parametrize(("value", "ceiling"), [
    (0, 1), (1, 1), (2, 2), (3, 5), (5, 5), (6, 10), (11, 20), (999, 1000), (1001, 2000),
])
def test_the_scale_ends_on_1_2_or_5_times_a_power_of_ten(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


def test_the_stock_chart_names_its_days_and_its_low_and_high():
    series = series_of((1200, 1000, 0), (1190, 0, 10), (1195, 5, 0))
    chart = stock_chart(series)
    assert chart.title == "Stok gudang, 3 hari terakhir"
    assert chart.summary == (
        "Stok pada akhir hari, 1 Maret 2024 sampai 3 Maret 2024: awal 1.200, akhir 1.195, "
        "tertinggi 1.200 pada 1 Maret 2024, terendah 1.190 pada 2 Maret 2024.")
    assert f"<title id=\"grafik-stok-title\">{chart.title}</title>" in chart.svg


def test_the_flow_chart_sums_receipts_and_use_and_draws_a_bar_per_day_with_any():
    series = series_of((1200, 1000, 0), (1190, 0, 10), (1195, 5, 3))
    chart = flow_chart(series, chart_id="arus")
    assert chart.title == "Blanko diterima dan terpakai per hari, 3 hari terakhir"
    assert chart.summary == (
        "1 Maret 2024 sampai 3 Maret 2024: diterima 1.005 blanko dalam 2 hari; "
        "terpakai 13 blanko, terbanyak 10 dalam sehari.")
    assert chart.svg.count("<rect ") == 4  # two days with receipts, two with use
    assert 'aria-labelledby="arus-title arus-desc"' in chart.svg
