from __future__ import annotations

import logging

from django.core.management.base import BaseCommand
from django.utils import timezone

from config.tooling.demo import ledger as demo
from config.tooling.demo.province import seed_province
from config.tooling.demo.requests import seed_key_dates, seed_requests


class Command(BaseCommand):
    help = ("Creates the demo offices and users, the 2020 Tanjungpinang story and the "
            "daily history of every Kepulauan Riau office up to today (idempotent).")

    def handle(self, *args, **options):
        # Hundreds of postings: their one-line audit logs would bury the logins.
        logging.getLogger("siblanko").setLevel(logging.WARNING)
        offices = demo.ensure_offices()
        users = demo.ensure_users(offices)
        # The Pilkada first: the request of 3 July 2020 keeps the dashboard's figures of
        # that day, whose shortfall runs up to it.
        seed_key_dates(offices=offices, users=users, stdout=self.stdout)
        created = demo.replay_2020_story(offices, users)
        self.stdout.write("Cerita 2020 dicatat." if created else
                          "Cerita 2020 sudah ada; tidak ada yang ditambah.")
        seed_requests(offices=offices, users=users, stdout=self.stdout)
        seed_province(offices=offices, users=users, today=timezone.localdate(),
                      stdout=self.stdout)
        self.stdout.write("\nLogin demo (halaman /masuk/):")
        for spec in demo.DEMO_USERS:
            self.stdout.write(f"  {spec.username:<11} {spec.password:<22} {spec.role}")
