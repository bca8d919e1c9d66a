"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import statistics
import sys

import django
from django.db import connection


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine_info() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "load_average": load_average(),
    }


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load: other work on the machine skews every figure."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def database_info() -> dict:
    info = {"vendor": connection.vendor, "name": str(connection.settings_dict["NAME"])}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["version"] = cursor.fetchone()[0]
            for setting in ("shared_buffers", "synchronous_commit", "max_connections"):
                cursor.execute(f"SHOW {setting}")
                info[setting] = cursor.fetchone()[0]
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            info["version"] = cursor.fetchone()[0]
    return info


def summary_ms(samples: list[float]) -> dict:
    """Median, p95 and mean of durations given in seconds, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }
