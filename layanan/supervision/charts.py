"""Charts drawn on the server as SVG: no script, no CDN, readable offline.

Each chart is an <svg role="img"> named by its <title> and summarised by its
<desc>, so a screen reader announces one sentence instead of every tick; the
page puts a data table with the same figures beside it. Colours are SVG
presentation attributes, which the Content-Security-Policy allows (inline
style attributes it blocks).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from blanko.formatting import number
from blanko.selectors import Day

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 30
INK, GRID = "#343a40", "#dee2e6"
STOCK_LINE, STOCK_FILL = "#0a4d8c", "#d6e4f2"
RECEIVED, USED = "#2e6b34", "#a4262c"


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    summary: str


def nice_ceiling(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten that is at least `value` (min 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def long_date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


class _Canvas:
    """One plot area inside the SVG: maps days and counts to coordinates."""

    def __init__(self, days: Sequence[datetime.date], top: float, height: float,
                 maximum: int) -> None:
        self.days, self.top, self.height = days, top, height
        self.maximum = nice_ceiling(maximum)
        self.slot = (WIDTH - LEFT - RIGHT) / max(1, len(days))

    def x(self, index: float) -> float:
        return LEFT + self.slot * (index + 0.5)

    def y(self, value: float) -> float:
        return self.top + self.height * (1 - value / self.maximum)

    def grid(self) -> list[str]:
        parts = []
        for fraction in (0, 0.5, 1):
            value = round(self.maximum * fraction)
            y = self.y(value)
            parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                         f'stroke="{GRID}" stroke-width="1"/>')
            parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                         f'font-size="11" fill="{INK}">{escape(number(value))}</text>')
        return parts

    def month_ticks(self, baseline: float) -> list[str]:
        parts = []
        # The first day is labelled too, unless a month begins right after it.
        crowded = any(day.day == 1 for day in self.days[1:6])
        for index, day in enumerate(self.days):
            if day.day == 1 or (index == 0 and not crowded):
                x = LEFT + self.slot * index
                parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{baseline:.1f}" '
                             f'y2="{baseline + 4:.1f}" stroke="{INK}" stroke-width="1"/>')
                # A label near the right edge ends at its tick instead of running off.
                near_edge = x > WIDTH - RIGHT - 36
                anchor = ' text-anchor="end"' if near_edge else ""
                parts.append(f'<text x="{x if near_edge else x + 2:.1f}" y="{baseline + 16:.1f}" '
                             f'font-size="11" fill="{INK}"{anchor}>'
                             f'{escape(date_format(day, "j M"))}</text>')
        return parts


def _svg(chart_id: str, title: str, summary: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped


def stock_chart(series: Sequence[Day], *, chart_id: str = "grafik-stok") -> Chart:
    """The store's count at the end of each day, as a filled line."""
    days = [point.day for point in series]
    canvas = _Canvas(days, TOP, HEIGHT - TOP - BOTTOM, max(point.stock for point in series))
    baseline = canvas.y(0)
    points = " ".join(f"{canvas.x(i):.1f},{canvas.y(p.stock):.1f}" for i, p in enumerate(series))
    right = canvas.x(len(series) - 1)
    area = f"{canvas.x(0):.1f},{baseline:.1f} {points} {right:.1f},{baseline:.1f}"
    low = min(series, key=lambda p: (p.stock, p.day))
    high = max(series, key=lambda p: (p.stock, p.day))
    title = _("Stok gudang, %(days)s hari terakhir") % {"days": number(len(series))}
    summary = _(
        "Stok pada akhir hari, %(start)s sampai %(end)s: awal %(first)s, akhir %(last)s, "
        "tertinggi %(high)s pada %(high_on)s, terendah %(low)s pada %(low_on)s."
    ) % {
        "start": long_date(days[0]), "end": long_date(days[-1]),
        "first": number(series[0].stock), "last": number(series[-1].stock),
        "high": number(high.stock), "high_on": long_date(high.day),
        "low": number(low.stock), "low_on": long_date(low.day),
    }
    body = canvas.grid() + [
        f'<polygon points="{area}" fill="{STOCK_FILL}"/>',
        f'<polyline points="{points}" fill="none" stroke="{STOCK_LINE}" stroke-width="2"/>',
    ] + canvas.month_ticks(baseline)
    return Chart(_svg(chart_id, title, summary, body), title, summary)


def flow_chart(series: Sequence[Day], *, chart_id: str = "grafik-arus") -> Chart:
    """Blanks received (top panel) and used (bottom panel) per day, as bars.

    Two panels with their own scales: one delivery of thousands would flatten
    a single shared axis, and the daily use would disappear under it.
    """
    days = [point.day for point in series]
    panel = (HEIGHT - TOP - BOTTOM - 18) / 2
    received = _Canvas(days, TOP, panel, max(p.received for p in series))
    used = _Canvas(days, TOP + panel + 18, panel, max(p.used for p in series))
    body: list[str] = []
    for canvas, attribute, colour, label in (
        (received, "received", RECEIVED, _("Diterima")),
        (used, "used", USED, _("Terpakai (cetak + rusak)")),
    ):
        body += canvas.grid()
        body.append(f'<text x="{WIDTH - RIGHT}" y="{canvas.top + 11:.1f}" text-anchor="end" '
                    f'font-size="12" font-weight="bold" fill="{colour}">{escape(label)}</text>')
        width = max(1.0, canvas.slot * 0.8)
        for index, point in enumerate(series):
            value = getattr(point, attribute)
            if value:
                top = canvas.y(value)
                body.append(
                    f'<rect x="{canvas.x(index) - width / 2:.1f}" y="{top:.1f}" '
                    f'width="{width:.1f}" height="{canvas.y(0) - top:.1f}" fill="{colour}"/>'
                )
    body += used.month_ticks(used.y(0))
    total_received = sum(p.received for p in series)
    total_used = sum(p.used for p in series)
    title = _("Blanko diterima dan terpakai per hari, %(days)s hari terakhir") % {
        "days": number(len(series))}
    summary = _(
        "%(start)s sampai %(end)s: diterima %(received)s blanko dalam %(receipt_days)s hari; "
        "terpakai %(used)s blanko, terbanyak %(peak)s dalam sehari."
    ) % {
        "start": long_date(days[0]), "end": long_date(days[-1]),
        "received": number(total_received),
        "receipt_days": number(sum(1 for p in series if p.received)),
        "used": number(total_used), "peak": number(max(p.used for p in series)),
    }
    return Chart(_svg(chart_id, title, summary, body), title, summary)
