from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from blanko.formatting import number
from blanko.models import Balance, Movement
from blanko.selectors import ledger_drift


class Command(BaseCommand):
    help = "Rebuilds every balance from the movements and reports any drift (exit 1 on drift)."

    def handle(self, *args, **options):
        drifts = ledger_drift()
        movements = Movement.objects.count()
        balances = Balance.objects.count()
        self.stdout.write(f"Diperiksa: {number(movements)} mutasi, {number(balances)} saldo.")
        if not drifts:
            self.stdout.write(self.style.SUCCESS("Buku besar cocok: tidak ada selisih."))
            return
        for drift in drifts:
            recorded = "tidak ada" if drift.recorded is None else number(drift.recorded)
            self.stdout.write(self.style.ERROR(
                f"SELISIH {drift.location}: saldo tercatat {recorded}, "
                f"dihitung dari mutasi {number(drift.computed)}"
            ))
        raise CommandError(f"{len(drifts)} saldo tidak cocok dengan mutasi.")
