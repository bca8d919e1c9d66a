"""Indonesia's region codes (province, kab/kota, kecamatan), from wilayah.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "wilayah.csv"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: str  # "province", "regency" or "district"


@cache
def all_regions() -> dict[str, Region]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: Region(**row) for row in csv.DictReader(handle)}


def region(code: str) -> Region | None:
    return all_regions().get(code)


def region_name(code: str) -> str:
    found = region(code)
    return found.name if found else ""


def regencies() -> list[Region]:
    """Every kab/kota, in code order."""
    return sorted(
        (r for r in all_regions().values() if r.level == "regency"), key=lambda r: r.code
    )
