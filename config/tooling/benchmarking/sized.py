"""Databases of a given size for the benchmark, each measured in its own process.

For each size N the benchmark uses the database `<name>_<N>` beside the one in
DATABASE_URL (an SQLite file in the temp directory on SQLite): created, migrated
and seeded with N movements and N requests over every office, unless it already
holds exactly that. Draws run on a throw-away copy of the largest one, so the
sized databases stay as seeded and can be reused by the next run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def url_for(name: str) -> str:
    db = connection.settings_dict
    if not is_postgres():
        return f"sqlite:///{Path(tempfile.gettempdir()) / name}.sqlite3"
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _admin(sql: str, params=None) -> list:
    """Runs SQL on the maintenance database `postgres`, outside any transaction."""
    import psycopg2

    db = connection.settings_dict
    conn = psycopg2.connect(dbname="postgres", user=db.get("USER") or None,
                            password=db.get("PASSWORD") or None,
                            host=db.get("HOST") or None, port=db.get("PORT") or None)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


def base_name() -> str:
    return Path(str(connection.settings_dict["NAME"])).stem if not is_postgres() else str(
        connection.settings_dict["NAME"])


def ensure_database(name: str) -> None:
    if is_postgres() and not _admin("SELECT 1 FROM pg_database WHERE datname = %s", [name]):
        _admin(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    if is_postgres():
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def copy_database(source: str, target: str) -> None:
    drop_database(target)
    _admin(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def run_manage(url: str, *args: str, capture: bool = False) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG",
                                                                             "1")}
    result = subprocess.run([sys.executable, str(MANAGE), *args], env=env, check=True,
                            stdout=subprocess.PIPE if capture else sys.stderr, text=True,
                            cwd=settings.BASE_DIR)
    return result.stdout or ""


def prepare(size: int, *, offices: int, fresh: bool, log) -> tuple[str, str, dict]:
    """The name and URL of the database of this size, seeded; and its row counts."""
    name = f"{base_name()}_{size}"
    url = url_for(name)
    ensure_database(name)
    log(f"size {size}: database {name}: migrate")
    run_manage(url, "migrate", "--noinput", "-v", "0")
    counts = json.loads(run_manage(url, "benchmark", "--report-counts", capture=True))
    wanted = {"offices": offices, "movements": size, "requests": size}
    if fresh or any(counts.get(key) != value for key, value in wanted.items()):
        log(f"size {size}: seed_bulk ({counts} -> {wanted})")
        run_manage(url, "seed_bulk", "--reset", "--offices", str(offices), "--movements",
                   str(size), "--requests", str(size))
        counts = json.loads(run_manage(url, "benchmark", "--report-counts", capture=True))
    else:
        log(f"size {size}: reusing the seeded database ({counts})")
    return name, url, counts


def measure(url: str, *options: str) -> dict:
    return json.loads(run_manage(url, "benchmark", *options, capture=True))
