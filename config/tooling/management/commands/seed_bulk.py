from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError

from config.tooling.bulk import BulkDataExists, seed_bulk


class Command(BaseCommand):
    help = (
        "Writes national-scale synthetic data: offices, a valid ledger (verify_ledger "
        "accepts it) and requests across every status, kind, channel and date."
    )

    def add_arguments(self, parser):
        parser.add_argument("--offices", type=int, default=514)
        parser.add_argument("--movements", type=int, default=1_000_000)
        parser.add_argument("--requests", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=365,
                            help="How far back the data reaches (default 365 days).")
        parser.add_argument("--seed", type=int, default=20201209)
        parser.add_argument("--reset", action="store_true",
                            help="Empty every blanko and layanan table first.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        for name in ("offices", "movements", "requests", "days"):
            if options[name] < (1 if name in ("offices", "days") else 0):
                raise CommandError(f"--{name} terlalu kecil.")
        logging.getLogger("siblanko").setLevel(logging.WARNING)
        try:
            seed_bulk(
                offices=options["offices"], movements=options["movements"],
                requests=options["requests"], days=options["days"], seed=options["seed"],
                reset=options["reset"], progress=not options["no_progress"],
                log=self.stdout.write,
            )
        except BulkDataExists as error:
            raise CommandError(str(error)) from None
