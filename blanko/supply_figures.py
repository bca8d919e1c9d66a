"""The dashboard figures behind a request for blanks, and how they reach blanko.

A request asked from the dashboard stores the figures behind its "ask Ditjen for"
number (stock, average use, days of cover, shortfall, key date) as they were that
day, so that its letter shows why the office asked. Those figures are computed by
layanan.supervision (the forecast), which blanko may not import. So blanko names the
slot and the layer above fills it at start-up (its AppConfig.ready):

    register_figures_provider(provider)  # provider(*, office, as_of) -> dict

The request form then computes them on the server, never from the browser. With no
provider (blanko alone), a request carries no figures and everything else works.

`figure_rows` turns a stored figures dict back into labelled, formatted rows for the
request's page and letter. The dict is JSON: dates are ISO strings, and a key may be
missing in an older request, so each row is shown only when its value is there.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from blanko.formatting import number

if TYPE_CHECKING:
    from blanko.models import Office

FiguresProvider = Callable[..., dict[str, Any]]

_provider: FiguresProvider | None = None


def register_figures_provider(provider: FiguresProvider | None) -> None:
    """Sets the function that computes the figures: provider(*, office, as_of) -> dict.
    None removes it (tests)."""
    global _provider
    _provider = provider


def request_figures(*, office: Office, as_of: datetime.date) -> dict[str, Any] | None:
    """The figures of `office` on `as_of`, or None when no provider is registered."""
    if _provider is None:
        return None
    return _provider(office=office, as_of=as_of)


def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value, "j F Y") if isinstance(value, datetime.date) else str(value)


def _count(value: Any) -> str:
    return number(int(value))


def _decimal(value: Any) -> str:
    return number_format(float(value), 1, force_grouping=True)


def figure_rows(figures: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, formatted value) for each figure present, in the letter's order."""
    if not figures:
        return []
    rows: list[tuple[str, str]] = []

    def add(key: str, label: str, show: Callable[[Any], str]) -> None:
        value = figures.get(key)
        if value is not None and value != "":
            rows.append((label, show(value)))

    add("as_of", _("Per tanggal"), _day)
    add("stock", _("Stok di gudang"), _count)
    add("average", _("Rata-rata pemakaian per hari"), _decimal)
    add("days_of_cover", _("Cukup untuk (hari)"), _decimal)
    add("stockout_on", _("Perkiraan stok habis"), _day)
    if figures.get("key_date"):
        name = figures.get("key_date_name") or ""
        day = _day(figures["key_date"])
        rows.append((_("Tanggal penting berikutnya"), f"{name} ({day})" if name else day))
    add("shortfall", _("Kekurangan sampai tanggal itu"), _count)
    add("to_request", _("Jumlah yang perlu diminta"), _count)
    add("lead_time_days", _("Waktu tunggu kiriman Ditjen (hari)"), _count)
    return rows


# The lender's figures for a rebalancing proposal: the minimum it keeps is the province
# plan's rule (layanan.supervision.rebalancing), which blanko may not import either, so
# the same kind of slot, filled by SupervisionConfig.ready:
#
#     register_lender_figures_provider(provider)  # provider(*, office) -> dict | None

_lender_provider: Callable[..., dict[str, Any] | None] | None = None


def register_lender_figures_provider(
        provider: Callable[..., dict[str, Any] | None] | None) -> None:
    """Sets the function that reads a lender's figures: provider(*, office) -> {"stock",
    "average" (a Fraction, None without use), "lead_time_days", "safety_days",
    "minimum" (None without use)} or None. None removes it (tests)."""
    global _lender_provider
    _lender_provider = provider


def lender_figures(*, office: Office) -> dict[str, Any]:
    """`office`'s figures today as its province's rebalancing plan reads them; {} when no
    provider is registered (blanko alone: the pages show the stock and no minimum)."""
    if _lender_provider is None:
        return {}
    return _lender_provider(office=office) or {}
