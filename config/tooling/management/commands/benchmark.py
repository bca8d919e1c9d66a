from __future__ import annotations

import datetime
import json
import logging
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from blanko.models import Movement, Office
from config.tooling.benchmarking import draws, goals, http, machine, network, pages, sized
from layanan.models import ServiceRequest

PARTS = ("pages", "network", "http", "draws")


def _ints(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"Daftar angka tidak valid: {text}") from None


class Command(BaseCommand):
    help = (
        "Measures draw throughput (against pgbench), page latency and HTTP throughput, and "
        "prints one JSON document. Progress goes to stderr."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="",
                            help="e.g. 10000,1000000: build and measure a database per size "
                                 "(movements and requests); default: the current database.")
        parser.add_argument("--offices", type=int, default=514)
        parser.add_argument("--workers", default="1,4,8")
        parser.add_argument("--separate", type=int, default=8,
                            help="Workers on as many different offices.")
        parser.add_argument("--requests", type=int, default=30, help="Samples per page.")
        parser.add_argument("--duration", type=float, default=10.0,
                            help="Seconds per draw and HTTP run.")
        parser.add_argument("--http-workers", type=int, default=4)
        parser.add_argument("--concurrency", type=int, default=16)
        parser.add_argument("--parts", default=",".join(PARTS))
        parser.add_argument("--fresh", action="store_true", help="Reseed sized databases.")
        parser.add_argument("--tiny", action="store_true",
                            help="A few seconds: tiny data, short runs (for tests).")
        parser.add_argument("--report-counts", action="store_true", help="(internal)")

    def log(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def handle(self, *args, **options):
        if options["report_counts"]:
            self.stdout.write(json.dumps(counts()))
            return
        logging.getLogger("siblanko").setLevel(logging.WARNING)
        if options["tiny"]:
            options.update(workers="2", separate=2, requests=3, duration=1.0,
                           http_workers=2, concurrency=4)
        parts = [part for part in options["parts"].split(",") if part]
        if unknown := set(parts) - set(PARTS):
            raise CommandError(f"Bagian tidak dikenal: {', '.join(sorted(unknown))}")
        started = time.monotonic()
        report = {
            "generated_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "command": " ".join(["manage.py", *sys.argv[1:]]),
            "machine": machine.machine_info(),
        }
        sizes = _ints(options["sizes"])
        if sizes:
            report.update(self.sized_run(sizes, parts, options))
        else:
            report["database"] = machine.database_info()
            # Measured as deployed: with DEBUG on, every query is also logged in memory
            # and the templates keep debug information. The test client's host is
            # allowed; gunicorn (the http part) gets DEBUG off from its environment.
            with override_settings(DEBUG=False,
                                   ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
                report.update(self.current_run(parts, options))
            report["debug"] = False
        report["goals"] = goals.evaluate(report)
        report["seconds"] = round(time.monotonic() - started, 1)
        report["load_average_at_end"] = machine.load_average()
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))

    def current_run(self, parts: list[str], options) -> dict:
        result: dict = {}
        if not Office.objects.exclude(code__startswith="99").exists():
            if not options["tiny"]:
                raise CommandError("Database kosong: jalankan seed_bulk, atau pakai --sizes.")
            from config.tooling.bulk import seed_bulk

            self.log("empty database: seeding a tiny data set")
            seed_bulk(offices=3, movements=300, requests=300, progress=False,
                      log=self.log)
        result["counts"] = counts()
        if "pages" in parts:
            self.log("pages")
            result["pages"] = pages.measure_pages(samples=options["requests"], log=self.log)
        if "network" in parts:
            self.log("network")
            result["network"] = network.measure_network(samples=options["requests"],
                                                        log=self.log)
        if "http" in parts:
            self.log("http")
            result["http"] = http.measure_http(
                duration=options["duration"], workers=options["http_workers"],
                concurrency=options["concurrency"], log=self.log)
        if "draws" in parts:
            self.log("draws")
            result["draws"] = draws.measure_draws(
                workers=_ints(options["workers"]), separate=options["separate"],
                duration=options["duration"], log=self.log)
        return result

    def sized_run(self, sizes: list[int], parts: list[str], options) -> dict:
        common = ["--requests", str(options["requests"]), "--duration", str(options["duration"]),
                  "--http-workers", str(options["http_workers"]), "--concurrency",
                  str(options["concurrency"]), "--workers", options["workers"], "--separate",
                  str(options["separate"])]
        result: dict = {"sizes": {}}
        largest = None
        for size in sorted(sizes):
            name, url, _counts = sized.prepare(size, offices=options["offices"],
                                               fresh=options["fresh"], log=self.log)
            largest = (name, size)
            run_parts = [part for part in parts if part != "draws"]
            if run_parts:
                self.log(f"size {size}: {', '.join(run_parts)}")
                measured = sized.measure(url, "--parts", ",".join(run_parts), *common)
                result.setdefault("database", measured.get("database"))
                result["sizes"][str(size)] = {
                    key: measured[key] for key in ("counts", *run_parts) if key in measured
                }
        if "draws" in parts and largest:
            name, size = largest
            copy = f"{name}_draws"
            self.log(f"draws: on a copy of the {size} database ({copy})")
            postgres = sized.is_postgres()
            if postgres:
                sized.copy_database(name, copy)
            try:
                url = sized.url_for(copy if postgres else name)
                measured = sized.measure(url, "--parts", "draws", *common)
            finally:
                sized.drop_database(copy)
            result["draws"] = {"size": size, **measured["draws"]}
            result.setdefault("database", measured.get("database"))
        return result


def counts() -> dict:
    return {
        "offices": Office.objects.exclude(code__startswith="99").count(),
        "movements": Movement.objects.count(),
        "requests": ServiceRequest.objects.count(),
    }
