"""Writing a planned data set: one process per group of tables on PostgreSQL.

During the load the plain (non-unique) indexes of the tables written are dropped
and built again afterwards, which is much faster than maintaining them row by
row; primary keys and unique constraints stay in place throughout.
"""

from __future__ import annotations

import multiprocessing
import sys

from django.db import connection, connections
from tqdm import tqdm

from blanko.models import Delivery, Destruction, Movement, MovementHold
from config.tooling.bulk import writer
from layanan.models import CardPrint, Counter, RequestEvent, ServiceRequest

REQUEST_COLUMNS = [
    "id", "office_id", "registration_number", "nik", "kk_number", "full_name", "birth_date",
    "sex", "married", "phone", "email", "kind", "disaster_victim", "replaces_suket",
    "police_report_number", "channel", "status", "priority_tier", "printable_from",
    "documents", "biometrics_recorded", "rejection_reason", "submission_key", "submitted_at",
    "verified_at", "printed_at", "delivered_at", "closed_at", "created_by_id",
]
MOVEMENT_COLUMNS = [
    "id", "from_location_id", "to_location_id", "quantity", "reason", "cause", "occurred_on",
    "recorded_at", "recorded_by_id", "reference", "note", "from_balance_after",
    "to_balance_after", "idempotency_key", "fingerprint", "reverses_id", "loan_id",
]
MODELS = [ServiceRequest, RequestEvent, Movement, Delivery, Destruction, CardPrint, Counter]


def _jobs(tables: dict[str, list]) -> list[list[tuple]]:
    """Groups of (count key, table, columns, rows); each group can load on its own."""
    ts = writer.ts
    return [
        [("requests", ServiceRequest._meta.db_table, REQUEST_COLUMNS,
          ((*r[:23], ts(r[23]), ts(r[24]), ts(r[25]), ts(r[26]), ts(r[27]), r[28])
           for r in tables["requests"]))],
        [("events", RequestEvent._meta.db_table,
          ["id", "request_id", "from_status", "to_status", "at", "by_id", "note"],
          ((e[0], e[1][0], e[2], e[3], ts(e[4]), e[5], e[6]) for e in tables["events"]))],
        [("movements", Movement._meta.db_table, MOVEMENT_COLUMNS,
          ((*m[:7], ts(m[7]), *m[8:13], None, "", None, None) for m in tables["movements"])),
         ("deliveries", Delivery._meta.db_table,
          ["id", "office_id", "source_id", "bast_number", "received_on", "quantity",
           "movement_id", "serial_start", "serial_end", "note"],
          ((*d[:6], d[6][0], "", "", "") for d in tables["deliveries"])),
         ("destructions", Destruction._meta.db_table,
          ["id", "office_id", "number", "destroyed_on", "quantity", "movement_id",
           "witnesses", "note"],
          ((*d[:5], d[5][0], "", "") for d in tables["destructions"])),
         ("counters", Counter._meta.db_table, ["office_id", "name", "period", "value"],
          iter(tables["counters"]))],
        [("prints", CardPrint._meta.db_table,
          ["id", "request_id", "outcome", "movement_id", "printed_at", "printed_by_id",
           "idempotency_key"],
          ((p[0], p[1][0], p[2], p[3][0], ts(p[4]), p[5], None) for p in tables["prints"])),
         # A printed card's draw is held, as print_card holds it: never reversed.
         ("holds", MovementHold._meta.db_table, ["movement_id"],
          ((p[3][0],) for p in tables["prints"] if p[2] == CardPrint.Outcome.SUCCESS))],
    ]


def _run_group(group: list[tuple], sizes: dict[str, int], position: int, progress: bool,
               results=None) -> dict[str, int]:
    total = sum(sizes[key] for key, *_ in group)
    bar = tqdm(total=total, desc=f"tulis {group[0][0]}", unit="baris", unit_scale=True,
               file=sys.stderr, disable=not progress, position=position)
    skipped = writer.skip_row_triggers()
    counts = {}
    try:
        for key, table, columns, rows in group:
            counts[key] = writer.write_rows(table, columns, rows, advance=bar.update)
    finally:
        if skipped:
            writer.restore_row_triggers()
        bar.close()
    if results is not None:
        results.put(counts)
        connections.close_all()
    return counts


def _secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)", [tables])
        return cursor.fetchall()


def load(tables: dict[str, list], progress: bool) -> dict[str, int]:
    sizes = {key: len(rows) for key, rows in tables.items()}
    sizes["holds"] = sum(p[2] == CardPrint.Outcome.SUCCESS for p in tables["prints"])
    groups = _jobs(tables)
    counts: dict[str, int] = {}
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        for position, group in enumerate(groups):
            counts.update(_run_group(group, sizes, position, progress))
    else:
        names = [job[1] for group in groups for job in group]
        indexes = _secondary_indexes(names)
        with connection.cursor() as cursor:
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        try:
            connections.close_all()  # each child opens its own connection
            context = multiprocessing.get_context("fork")
            results = context.Queue()
            children = [context.Process(target=_run_group,
                                        args=(group, sizes, position, progress, results))
                        for position, group in enumerate(groups)]
            for child in children:
                child.start()
            for _ in children:
                counts.update(results.get(timeout=3600))
            for child in children:
                child.join()
                if child.exitcode:
                    raise RuntimeError("a bulk load process failed")
        finally:
            with connection.cursor() as cursor:
                for _name, definition in indexes:
                    cursor.execute(definition)
    writer.reset_sequences(MODELS)
    for key in ("deliveries", "destructions", "counters", "holds"):
        counts.pop(key, None)
    return counts
