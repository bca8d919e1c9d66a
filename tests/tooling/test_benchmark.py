"""`manage.py benchmark` runs at a tiny size and prints one JSON document.

No timing is asserted here: the figures belong in the README, not in the suite.
On SQLite the pgbench and gunicorn parts are skipped with their reason.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from blanko.models import BlankRequest, Movement, Office
from blanko.selectors import ledger_drift
from config.tooling.benchmarking import goals
from config.tooling.benchmarking.machine import summary_ms
from config.tooling.benchmarking.network import every_province_plan
from layanan.supervision import rebalancing

PAGES = ("dashboard", "print_queue", "search_nik", "search_name", "monthly_report",
         "public_stock", "national_rollup")
NETWORK_PAGES = ("allocation_plan", "rebalancing_plan", "rollup_allocator")


def run_benchmark(*args: str) -> dict:
    out, err = io.StringIO(), io.StringIO()
    call_command("benchmark", "--tiny", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_tiny_benchmark_prints_json_with_every_figure():
    report = run_benchmark()
    assert {"machine", "database", "counts", "pages", "network", "http", "draws",
            "goals"} <= set(report)
    assert report["machine"]["cpu_count"] >= 1
    assert report["database"]["vendor"] == connection.vendor
    for key in PAGES:
        page = report["pages"][key]
        assert "skipped" in page or (page["status"] == [200] and page["queries"] > 0)
    if connection.vendor == "postgresql":
        draws = report["draws"]
        assert draws["same_office"][0]["issue_blank_tps"] > 0
        assert draws["same_office"][0]["pgbench_tps"] > 0
        assert draws["separate_offices"]["workers"] == 2
        assert report["http"]["trivial_view"]["ok"] > 0
        assert report["http"]["print_queue"]["ok"] > 0
        assert report["http"]["print_queue"]["statuses"] == {"200": report["http"][
            "print_queue"]["ok"]}
        references = report["http"]["references"]
        assert references["anonymous_start_page"]["statuses"] == {
            "200": references["anonymous_start_page"]["ok"]}
        assert references["signed_in_redirect"]["statuses"] == {
            "302": references["signed_in_redirect"]["ok"]}
    else:
        assert "skipped" in report["draws"]
        assert "skipped" in report["http"]
    network = report["network"]
    # The draws (run after the network part) add their own offices, 99xx.
    seeded = Office.objects.exclude(code__startswith="99").values_list("code", flat=True)
    assert network["setup"]["waiting_requests"] == len(seeded)
    assert network["setup"]["central_free"] < network["setup"]["asked"]  # scarce
    for key in NETWORK_PAGES:
        assert network[key]["status"] == [200], key
        assert network[key]["queries"] > 0, key
    every = network["rebalancing_every_province"]
    assert every["provinces"] == len({code[:2] for code in seeded})
    assert every["offices"] == len(seeded)
    # The network scenario is rolled back: the database stays as seeded.
    assert not BlankRequest.objects.exists()
    assert not Movement.objects.filter(reference="BENCH/PENGADAAN").exists()
    # The draws, from Python and from pgbench, keep the ledger exact.
    assert ledger_drift() == []
    assert all({"goal", "value", "target", "met"} <= set(goal) for goal in report["goals"])


@pytest.mark.django_db(transaction=True)
def test_page_query_counts_do_not_grow_with_the_data():
    first = run_benchmark("--parts", "pages,network")
    # Twice the offices (and so twice the waiting requests), three times the rows.
    call_command("seed_bulk", offices=6, movements=900, requests=900, reset=True,
                 no_progress=True)
    second = run_benchmark("--parts", "pages,network")
    assert second["pages"]["office"]["requests"] > first["pages"]["office"]["requests"]
    for key in PAGES:
        if "queries" in first["pages"][key]:
            assert first["pages"][key]["queries"] == second["pages"][key]["queries"], key
    assert (second["network"]["setup"]["waiting_requests"]
            > first["network"]["setup"]["waiting_requests"])
    for key in NETWORK_PAGES:
        assert first["network"][key]["queries"] == second["network"][key]["queries"], key
    assert (first["network"]["rebalancing_every_province"]["queries"]
            == second["network"]["rebalancing_every_province"]["queries"])
    # One read for every office plans each province as its own page does.
    plans = every_province_plan()
    assert set(plans) == {code[:2] for code in Office.objects.values_list("code", flat=True)}
    for code, plan in plans.items():
        assert plan.proposals == rebalancing.rebalancing_plan(province_code=code), code


def test_goals_compare_sizes():
    def pages(ms: float, queries: int) -> dict:
        return {"pages": {key: {"median_ms": ms, "queries": queries} for key in PAGES}}

    report = {"sizes": {"10000": pages(10, 12), "1000000": pages(20, 12)},
              "draws": {"same_office": [{"workers": 4, "ratio": 0.7, "issue_blank_tps": 1}]}}
    found = {goal["goal"]: goal for goal in goals.evaluate(report)}
    assert found["page print_queue growth 10000 -> 1000000"]["met"] is False
    assert found["page print_queue queries 10000 vs 1000000"]["met"] is True
    assert found["page print_queue median at 1000000"]["met"] is True
    assert found["draws: issue_blank / pgbench at 4 workers, one office"]["met"] is True


def test_network_goals_are_200_ms_and_fixed_queries():
    def network(ms: float, queries: int) -> dict:
        return {"network": {key: {"median_ms": ms, "queries": queries}
                            for key in goals.NETWORK_PAGES}}

    report = {"sizes": {"10000": network(50, 9), "1000000": network(150, 9)}}
    report["sizes"]["1000000"]["network"]["allocation_plan"] = {"median_ms": 201,
                                                                 "queries": 10}
    found = {goal["goal"]: goal for goal in goals.evaluate(report)}
    assert found["network rebalancing_plan median at 1000000"]["met"] is True
    assert found["network allocation_plan median at 1000000"]["met"] is False
    assert found["network allocation_plan queries 10000 vs 1000000"]["met"] is False
    assert found["network rollup_allocator queries 10000 vs 1000000"]["met"] is True


def test_http_goals_are_issue_6_s_and_issue_10_s_ratios():
    http = {"ratio": 0.12, "references": {"signed_in_redirect": {"ratio": 0.34}}}
    found = {goal["goal"]: goal for goal in goals.evaluate({"sizes": {"10000": {"http": http}}})}
    assert found["http: print queue / trivial view rps at 10000"]["met"] is False
    assert found["http: print queue / trivial view rps (issue 10) at 10000"]["met"] is True
    signed_in = found["http: signed-in reference / trivial view rps (issue 10) at 10000"]
    assert (signed_in["value"], signed_in["met"]) == (0.34, False)
    skipped = goals.evaluate({"http": {"skipped": "no server"}})
    assert not [goal for goal in skipped if goal["goal"].startswith("http")]


def test_summary_in_milliseconds():
    summary = summary_ms([0.010, 0.020, 0.030, 0.040])
    assert summary["median_ms"] == 25.0
    assert summary["p95_ms"] == 40.0
    assert summary["n"] == 4
