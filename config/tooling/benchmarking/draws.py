"""Draw throughput: issue_blank from N worker processes against pgbench.

pgbench runs the same minimal transaction on the same database and the same
store: a conditional UPDATE ... RETURNING of the balance, then the INSERT of the
movement. Both keep the ledger exact, so verify_ledger still agrees afterwards.
Draws go to benchmark offices (codes 9901-99NN) stocked with 10 million blanks.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import time

from django.contrib.auth.models import User
from django.db import connection, connections

from blanko import services
from blanko.exceptions import InsufficientStock
from blanko.models import MAX_QUANTITY, Location, Office
from blanko.selectors import stock_on_hand

PGBENCH_SCRIPT = """\
BEGIN;
UPDATE blanko_balance SET quantity = quantity - 1, updated_at = now()
  WHERE location_id = :stock AND quantity - 1 >= 0 RETURNING quantity AS after \\gset
INSERT INTO blanko_movement (from_location_id, to_location_id, quantity, reason, cause,
  occurred_on, recorded_at, recorded_by_id, reference, note, fingerprint, from_balance_after)
  VALUES (:stock, :issued, 1, 'issue', '', (now() AT TIME ZONE 'Asia/Jakarta')::date, now(),
  :user, 'pgbench', '', '', :after);
END;
"""


def pgbench_path() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    return candidates[-1] if candidates else None


def bench_superuser() -> User:
    user, created = User.objects.get_or_create(
        username="bench-ledger", defaults={"is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def bench_offices(count: int, user: User) -> list[Office]:
    """Benchmark offices 9901.., each with a store of millions of blanks."""
    offices = []
    for number in range(1, count + 1):
        code = f"99{number:02d}"
        office = Office.objects.filter(code=code).first() or services.create_office(
            code=code, name=f"Kantor Uji Beban {number}"
        )
        if stock_on_hand(office=office) < MAX_QUANTITY // 2:
            services.receive_allocation(office=office, quantity=MAX_QUANTITY,
                                        reference=f"BENCH-{code}-{time.time_ns()}", by=user)
        offices.append(office)
    return offices


def _worker(office_id: int, user_id: int, duration: float, barrier, results) -> None:
    # Ledger log lines are written as in production, to /dev/null instead of a journal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    office = Office.objects.get(pk=office_id)
    user = User.objects.get(pk=user_id)
    services.issue_blank(office=office, by=user, reference="BENCH")  # warm the caches
    barrier.wait()
    done = refused = 0
    started = time.perf_counter()
    deadline = started + duration
    while time.perf_counter() < deadline:
        try:
            services.issue_blank(office=office, by=user, reference="BENCH")
            done += 1
        except InsufficientStock:
            refused += 1
    results.put((done, refused, time.perf_counter() - started))
    connections.close_all()


def python_tps(offices: list[Office], user: User, duration: float) -> dict:
    """issue_blank from one forked process per office in the list (repeat an office to
    contend on it); each has its own database connection."""
    connections.close_all()  # children must not share the parent's socket
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(offices))
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(o.pk, user.pk, duration, barrier, results))
               for o in offices]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=duration + 120) for _ in workers]
    for worker in workers:
        worker.join()
    done = sum(o[0] for o in outcomes)
    elapsed = max(o[2] for o in outcomes)
    return {"workers": len(offices), "draws": done, "refused": sum(o[1] for o in outcomes),
            "seconds": round(elapsed, 2), "tps": round(done / elapsed, 1)}


def _pgbench_command(clients: int, duration: float, office: Office, user: User,
                     script: str) -> tuple[list[str], dict]:
    settings = connection.settings_dict
    stock = Location.objects.get(office=office, kind=Location.Kind.STOCK).pk
    issued = Location.objects.get(office=office, kind=Location.Kind.ISSUED).pk
    command = [pgbench_path(), "-n", "-c", str(clients), "-j", str(clients),
               "-T", str(max(1, round(duration))), "-f", script,
               "-D", f"stock={stock}", "-D", f"issued={issued}", "-D", f"user={user.pk}"]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            command += [flag, str(settings[key])]
    command.append(settings["NAME"])
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return command, env


def _tps(output: str) -> float:
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output)
    if not found:
        raise RuntimeError(f"pgbench gave no tps:\n{output}")
    return float(found.group(1))


def pgbench_tps(offices: list[Office], user: User, duration: float, script: str,
                *, shared: bool) -> dict:
    """pgbench with len(offices) clients on one office (shared), or one process per office."""
    connection.close()
    if shared:
        command, env = _pgbench_command(len(offices), duration, offices[0], user, script)
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        return {"clients": len(offices), "tps": round(_tps(output.stdout), 1)}
    processes = []
    for office in offices:
        command, env = _pgbench_command(1, duration, office, user, script)
        processes.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True))
    total = 0.0
    for process in processes:
        out, err = process.communicate(timeout=duration + 120)
        if process.returncode:
            raise RuntimeError(f"pgbench failed: {err}")
        total += _tps(out)
    return {"clients": len(offices), "tps": round(total, 1)}


def measure_draws(*, workers: list[int], separate: int, duration: float,
                  log=lambda text: None) -> dict:
    if connection.vendor != "postgresql":
        return {"skipped": "needs PostgreSQL (row locks, concurrent processes, pgbench)"}
    if pgbench_path() is None:
        return {"skipped": "pgbench not found (it ships with PostgreSQL)"}
    user = bench_superuser()
    offices = bench_offices(max(1, separate), user)
    result: dict = {"duration_s": duration, "office": offices[0].code,
                    "transaction": PGBENCH_SCRIPT, "same_office": [], "separate_offices": None}
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(PGBENCH_SCRIPT)
        script = handle.name
    try:
        for count in workers:
            log(f"  draws: {count} worker(s) on office {offices[0].code}")
            app = python_tps([offices[0]] * count, user, duration)
            sql = pgbench_tps([offices[0]] * count, user, duration, script, shared=True)
            result["same_office"].append({
                "workers": count, "issue_blank_tps": app["tps"], "pgbench_tps": sql["tps"],
                "ratio": round(app["tps"] / sql["tps"], 3) if sql["tps"] else None,
                "refused": app["refused"],
            })
        if separate > 1:
            log(f"  draws: {separate} workers on {separate} offices")
            app = python_tps(offices[:separate], user, duration)
            sql = pgbench_tps(offices[:separate], user, duration, script, shared=False)
            result["separate_offices"] = {
                "workers": separate, "issue_blank_tps": app["tps"], "pgbench_tps": sql["tps"],
                "ratio": round(app["tps"] / sql["tps"], 3) if sql["tps"] else None,
            }
    finally:
        os.unlink(script)
    return result
