"""A bounded HTTP load client: `python -m config.tooling.benchmarking.loadclient URL ...`.

Threads, one new loopback connection per request (gunicorn's sync workers close
each one), stopped by a duration and a request cap. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from urllib.parse import urlsplit


def run(url: str, *, cookie: str, concurrency: int, duration: float, max_requests: int,
        ok_status: int = 200) -> dict:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.hostname, "Connection": "close"}
    if cookie:
        headers["Cookie"] = cookie
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    issued = [0]
    deadline = time.perf_counter() + duration

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except OSError:
                with lock:
                    errors[0] += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    ok = statuses.get(ok_status, 0)
    return {
        "requests": len(latencies), "ok": ok, "errors": errors[0],
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 2), "rps": round(ok / elapsed, 1) if elapsed else 0.0,
        "median_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2) if ordered else None,
        "concurrency": concurrency,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--cookie", default="")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--ok-status", type=int, default=200,
                        help="The status that counts as served (302 for a redirect).")
    args = parser.parse_args()
    print(json.dumps(run(args.url, cookie=args.cookie, concurrency=args.concurrency,
                         duration=args.duration, max_requests=args.max_requests,
                         ok_status=args.ok_status)))


if __name__ == "__main__":
    main()
