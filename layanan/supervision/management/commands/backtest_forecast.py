"""backtest_forecast: the dashboard's stock-out date on each past day, old method and
new, against the day the store actually ran out (layanan.supervision.backtest)."""

from __future__ import annotations

import argparse
import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from blanko.formatting import number
from blanko.models import Office
from layanan.supervision import backtest as method
from layanan.supervision.forecast import USE_WINDOW_DAYS

HOW = {
    method.RAN_OUT: "habis",
    method.DELIVERY: "perkiraan (kiriman datang)",
    method.EMPTY: "gudang sudah kosong",
    method.NO_PACE: "kiriman datang dalam seminggu",
    method.HISTORY_END: "data berakhir lebih dulu",
}


def _date(value: str) -> datetime.date:
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(f"tanggal tidak valid: {value!r} (YYYY-MM-DD)")
    return day


def _day(value: datetime.date | None) -> str:
    return value.isoformat() if value else "–"


def _signed(value: int | None) -> str:
    return "–" if value is None else f"{value:+d}"


def _median(value: float | None) -> str:
    return "–" if value is None else f"{value:g} hari"


class Command(BaseCommand):
    help = ("Backtest of the stock-out forecast: for each day, the date the dashboard "
            "showed (28-day average and stocked-days average) against the actual run-out.")

    def add_arguments(self, parser):
        parser.add_argument("--office", required=True, help="office code, e.g. 2172")
        parser.add_argument("--start", type=_date, help="first as-of day (YYYY-MM-DD)")
        parser.add_argument("--end", type=_date, help="last as-of day (YYYY-MM-DD); today")
        parser.add_argument("--json", action="store_true", help="print JSON instead")

    def handle(self, *args, **options):
        office = Office.objects.filter(code=options["office"]).first()
        if office is None:
            raise CommandError(f"Kantor {options['office']} tidak ada.")
        today = timezone.localdate()
        end = options["end"] or today
        start = options["start"] or end - datetime.timedelta(days=89)
        if start > end:
            raise CommandError("--start jatuh setelah --end.")
        if end > today:
            raise CommandError("--end jatuh setelah hari ini.")
        result = method.backtest(office=office, start=start, end=end, today=today)
        if options["json"]:
            self.stdout.write(json.dumps(self.as_json(result), indent=2))
        else:
            self.write_table(result)

    def as_json(self, result: method.Backtest) -> dict:
        return {
            "office": result.office.code, "start": result.start.isoformat(),
            "end": result.end.isoformat(), "history_end": _day(result.history_end),
            "days": [
                {"as_of": day.as_of.isoformat(), "stock": day.stock,
                 "days_counted": day.days_counted, "old": _day(day.old), "new": _day(day.new),
                 "actual": _day(day.actual), "how": day.how,
                 "old_error": day.old_error, "new_error": day.new_error}
                for day in result.days
            ],
            "summary": result.summary(),
        }

    def write_table(self, result: method.Backtest) -> None:
        out = self.stdout.write
        out(f"Uji mundur prakiraan stok habis · {result.office}\n"
            f"Per tanggal {result.start} s.d. {result.end}; mutasi gudang terakhir "
            f"{_day(result.history_end)}.\n"
            f"Lama: rata-rata {USE_WINDOW_DAYS} hari. Baru: rata-rata atas hari berstok. "
            f"Galat = perkiraan - sebenarnya (hari; + berarti terlalu lambat).\n")
        header = (f"{'Tanggal':<10}  {'Stok':>6}  {'Berstok':>7}  {'Habis (lama)':<12}  "
                  f"{'Habis (baru)':<12}  {'Sebenarnya':<10}  {'Galat lama':>10}  "
                  f"{'Galat baru':>10}  Keterangan")
        out(header)
        out("-" * len(header))
        for day in result.days:
            out(f"{day.as_of.isoformat():<10}  {number(day.stock):>6}  "
                f"{day.days_counted:>4}/{USE_WINDOW_DAYS:<2}  {_day(day.old):<12}  "
                f"{_day(day.new):<12}  {_day(day.actual):<10}  {_signed(day.old_error):>10}  "
                f"{_signed(day.new_error):>10}  {HOW[day.how]}")
        summary = result.summary()
        out("")
        out(f"Hari dibandingkan: {summary['compared']} dari {summary['days']} "
            f"({summary['ran_out']} habis sungguhan, {summary['estimated']} diperkirakan "
            f"karena kiriman datang lebih dulu). Tidak dibandingkan: {summary['empty']} "
            f"gudang sudah kosong, {summary['no_pace']} kiriman datang dalam "
            f"seminggu, {summary['history_end']} data berakhir lebih dulu.")
        out(f"Median galat mutlak, metode lama (rata-rata {USE_WINDOW_DAYS} hari): "
            f"{_median(summary['old_median_abs_error'])}")
        out(f"Median galat mutlak, metode baru (hari berstok): "
            f"{_median(summary['new_median_abs_error'])}")
        out(f"Pada {summary['after_stockout']} hari yang dibandingkan dengan hari stok kosong "
            f"dalam {USE_WINDOW_DAYS} hari terakhirnya (hanya di sini kedua metode berbeda): "
            f"lama {_median(summary['after_stockout_old_median_abs_error'])}, "
            f"baru {_median(summary['after_stockout_new_median_abs_error'])}.")
