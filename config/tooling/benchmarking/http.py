"""Requests per second of the print queue under gunicorn, against a trivial view.

gunicorn serves the production settings (DEBUG off, 4 sync workers) on a free
loopback port; the load client runs in its own process, bounded in time and in
requests. The trivial view is the health check, /sehat/ (one SELECT 1). Two
reference points show where the ratio's ceiling lies: the anonymous start page,
and a signed-in request that is redirected once the session, user, profile and
permissions are loaded.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from blanko import access
from config.tooling.benchmarking.pages import bench_user, busiest_office

BASE_DIR = Path(settings.BASE_DIR)


def database_url() -> str | None:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db.get("USER") or "")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or "5432"
        return f"postgres://{auth}@{host}:{port}/{db['NAME']}"
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            return None
        return f"sqlite:///{Path(name).resolve()}"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(f"{base}/sehat/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer /sehat/ in time")


def _load(url: str, *, cookie: str, concurrency: int, duration: float,
          max_requests: int, ok_status: int = 200) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "config.tooling.benchmarking.loadclient", url, "--cookie", cookie,
         "--concurrency", str(concurrency), "--duration", str(duration),
         "--max-requests", str(max_requests), "--ok-status", str(ok_status)],
        capture_output=True, text=True, check=True, cwd=BASE_DIR,
        timeout=duration + 120,
    )
    return json.loads(output.stdout)


def measure_http(*, duration: float, workers: int = 4, concurrency: int = 16,
                 max_requests: int = 200_000, log=lambda text: None) -> dict:
    url = database_url()
    if url is None:
        return {"skipped": "needs a database that a separate server process can open "
                           "(PostgreSQL, or an SQLite file)"}
    office = busiest_office()
    if office is None:
        return {"skipped": "no office in the database"}
    client = Client()
    client.force_login(bench_user(access.OPERATOR, office))
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = free_port()
    # The same secret key: the session cookie made here is signed with it.
    env = {
        **os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
        "WHITENOISE_USE_FINDERS": "1", "DATABASE_URL": url, "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "gunicorn", "config.tooling.benchmarking.wsgi:application",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--log-level", "warning", "--timeout", "60"]
    base = f"http://127.0.0.1:{port}"
    log(f"  http: gunicorn {workers} workers on {base}")
    connection.close()
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        _wait_ready(base, server)
        queue_path = reverse("layanan:queue", kwargs={"code": office.code})
        # Warm every worker (imports, connections, template caches) before measuring.
        _load(f"{base}/sehat/", cookie="", concurrency=workers * 2, duration=1,
              max_requests=workers * 20)
        _load(f"{base}{queue_path}", cookie=cookie, concurrency=workers * 2, duration=1,
              max_requests=workers * 20)
        log("  http: trivial view")
        trivial = _load(f"{base}/sehat/", cookie="", concurrency=concurrency,
                        duration=duration, max_requests=max_requests)
        log("  http: print queue")
        queue = _load(f"{base}{queue_path}", cookie=cookie, concurrency=concurrency,
                      duration=duration, max_requests=max_requests)
        # Where the ratio's ceiling lies: a page rendered with no session, and a signed-in
        # request that only loads the session, user, profile and permissions (the start
        # page redirects staff to their office).
        references = {}
        for key, path, with_cookie, ok_status in (
            ("anonymous_start_page", "/", "", 200),
            ("signed_in_redirect", "/", cookie, 302),
        ):
            log(f"  http: {key}")
            measured = _load(f"{base}{path}", cookie=with_cookie, concurrency=concurrency,
                             duration=duration, max_requests=max_requests,
                             ok_status=ok_status)
            references[key] = {"url": path, **measured, "ratio": _ratio(measured, trivial)}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return {
        "server": f"gunicorn, {workers} sync workers, DEBUG off, 127.0.0.1",
        "client": f"{concurrency} threads, new connection per request, "
                  f"{duration}s or {max_requests} requests",
        "office": office.code, "trivial_view": {"url": "/sehat/", **trivial},
        "print_queue": {"url": queue_path, **queue},
        "ratio": _ratio(queue, trivial),
        "references": references,
    }


def _ratio(measured: dict, trivial: dict) -> float | None:
    return round(measured["rps"] / trivial["rps"], 3) if trivial["rps"] else None
