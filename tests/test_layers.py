"""The layers, one way: blanko <- layanan <- layanan.supervision, and the tooling beside them.

Every module under blanko/, layanan/ and config/ is parsed (AST, so comments and strings
never count) and each import, or attribute of an imported module, is checked against
the rules below, the way the access matrix checks every URL: a new module that breaks
a rule fails here with its path and line.

- Outside `blanko` (its migrations included) and the tooling (`config.tooling`), no
  module touches the ledger models (Movement, Balance, Location, Loan, Shipment): reads
  go through `blanko.selectors`, writes through `blanko.services`.
- Nothing in `blanko`, nor in `layanan` outside `layanan.supervision`, imports supervision.
- `blanko` imports neither `layanan` nor the tooling.
- Runtime code (everything outside `config.tooling`) never imports the tooling.
- `blanko.selectors` never imports `blanko.services`: services read through selectors.

Ruff's banned-api (TID251, pyproject.toml) flags the ledger models as you type. This test
is the proof for all the rules: ruff cannot say "supervision only from above" (its
ignores are per code, not per banned name), nor see a re-export from another blanko
module or `apps.get_model("blanko", "Movement")`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("blanko", "layanan", "config")
LEDGER_MODELS = frozenset({"Movement", "Balance", "Location", "Loan", "Shipment"})
TOOLING = "config.tooling"
SUPERVISION = "layanan.supervision"


@dataclass(frozen=True)
class Use:
    """One dotted name that a module reaches: by an import, or through an imported name."""

    module: str  # the module that reaches it, e.g. "layanan.services.printing"
    line: int
    target: str  # e.g. "blanko.models.Balance", "layanan.supervision.forecast"
    how: str  # "import", "attribute" or "get_model"
    path: str  # relative to the repository, e.g. "layanan/services/printing.py"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.how} {self.target}"


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


# --- Reading a module ------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def absolute(module: str, *, package: bool, level: int, name: str | None) -> str:
    """The module that `from <level dots><name> import ...` names, written in `module`."""
    parts = module.split(".")
    if not package:
        parts.pop()  # a plain module's dots start from its package
    parts = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*parts, name] if name else parts)


def chain(node: ast.Attribute) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"]; None when the chain does not start at a plain name."""
    names: list[str] = []
    current: ast.expr = node
    while isinstance(current, ast.Attribute):
        names.append(current.attr)
        current = current.value
    if not isinstance(current, ast.Name):
        return None
    names.append(current.id)
    return names[::-1]


def get_model_target(call: ast.Call) -> str | None:
    """`apps.get_model("blanko", "Movement")` or `get_model("blanko.Movement")`, as a name."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name != "get_model":
        return None
    args = [arg.value for arg in call.args
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    if len(args) == 2:
        app_label, model = args
    elif len(args) == 1 and "." in args[0]:
        app_label, model = args[0].split(".", 1)
    else:
        return None
    return f"{app_label}.models.{model}"


def uses(source: str, module: str, *, package: bool = False) -> list[Use]:
    """Every dotted name `module` reaches through its imports, wherever they are written.

    `import blanko.models` then `blanko.models.Movement.objects` gives "blanko.models"
    and "blanko.models.Movement.objects"; `from blanko import models as m` then `m.Loan`
    gives "blanko.models" and "blanko.models.Loan". Imports inside functions and under
    `if TYPE_CHECKING:` count like any other.
    """
    tree = ast.parse(source)
    path = module.replace(".", "/") + ("/__init__.py" if package else ".py")
    found: list[Use] = []
    bound: dict[str, str] = {}  # a local name -> the dotted name it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Use(module, node.lineno, alias.name, "import", path))
                head = alias.name.split(".")[0]
                bound[alias.asname or head] = alias.name if alias.asname else head
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = absolute(module, package=package, level=node.level, name=node.module)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append(Use(module, node.lineno, target, "import", path))
                if alias.name != "*":
                    bound[alias.asname or alias.name] = target
    # Only the outermost attribute of a chain: `models.Movement.objects`, not its parts.
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            names = chain(node)
            if names and names[0] in bound:
                target = ".".join([bound[names[0]], *names[1:]])
                found.append(Use(module, node.lineno, target, "attribute", path))
        elif isinstance(node, ast.Call) and (model := get_model_target(node)):
            found.append(Use(module, node.lineno, model, "get_model", path))
    return found


def source_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def project_uses() -> list[Use]:
    found: list[Use] = []
    for path in source_files():
        found += uses(path.read_text(encoding="utf-8"), module_name(path),
                      package=path.name == "__init__.py")
    return found


# --- The rules: each says whether one use breaks it. ------------------------------------


def ledger_models_outside_blanko(use: Use) -> bool:
    """A ledger model by any road (blanko.models, or a re-export elsewhere in blanko)."""
    if within(use.module, "blanko") or within(use.module, TOOLING):
        return False
    if use.how == "get_model" and ".migrations." in f".{use.module}.":
        return False  # a migration may read the historical model, never the live one
    parts = use.target.split(".")
    if parts[0] != "blanko":
        return False
    return any(part in LEDGER_MODELS for part in parts[1:]) or use.target == "blanko.models.*"


def supervision_from_below(use: Use) -> bool:
    below = within(use.module, "blanko") or (
        within(use.module, "layanan") and not within(use.module, SUPERVISION))
    return below and within(use.target, SUPERVISION)


def blanko_looks_up(use: Use) -> bool:
    return within(use.module, "blanko") and (
        within(use.target, "layanan") or within(use.target, TOOLING))


def runtime_imports_tooling(use: Use) -> bool:
    return not within(use.module, TOOLING) and within(use.target, TOOLING)


def selectors_reach_services(use: Use) -> bool:
    """Selectors read; services read through them. The other way round is a cycle."""
    return within(use.module, "blanko.selectors") and within(use.target, "blanko.services")


RULES: dict[str, Callable[[Use], bool]] = {
    "ledger": ledger_models_outside_blanko,
    "supervision": supervision_from_below,
    "blanko": blanko_looks_up,
    "tooling": runtime_imports_tooling,
    "selectors": selectors_reach_services,
}
EXPLAINED = {
    "ledger": "Outside blanko and config.tooling, the ledger models (Movement, Balance, "
              "Location, Loan, Shipment) are reached only through blanko.selectors and "
              "blanko.services",
    "supervision": "Nothing in blanko, nor in layanan outside layanan/supervision/, "
                   "imports layanan.supervision",
    "blanko": "blanko imports neither layanan nor config.tooling",
    "tooling": "Runtime code (everything outside config/tooling/) never imports config.tooling",
    "selectors": "blanko.selectors never imports blanko.services (services read through "
                 "the selectors)",
}


def short(target: str) -> str:
    """`blanko.models.Movement.objects.filter` as `blanko.models.Movement`."""
    parts = target.split(".")
    for index, part in enumerate(parts):
        if part in LEDGER_MODELS:
            return ".".join(parts[: index + 1])
    return target


def offenders(rule: str, all_uses: list[Use]) -> list[str]:
    """The uses that break `rule`: one line per import, one per name used through it."""
    imports: dict[tuple[str, int], set[str]] = {}
    later: dict[tuple[str, str, str], set[int]] = {}
    for use in all_uses:
        if not RULES[rule](use):
            continue
        if use.how == "import":
            imports.setdefault((use.path, use.line), set()).add(use.target)
        else:
            later.setdefault((use.path, use.how, short(use.target)), set()).add(use.line)
    lines = [(path, line, f"import {', '.join(sorted(targets))}")
             for (path, line), targets in imports.items()]
    lines += [(path, min(at), f"{how} {target}" + (
                f" (lines {', '.join(map(str, sorted(at)))})" if len(at) > 1 else ""))
              for (path, how, target), at in later.items()]
    return [f"{path}:{line}: {what}" for path, line, what in sorted(lines)]


def offenders_in(source: str, module: str, rule: str, *, package: bool = False) -> list[str]:
    return offenders(rule, uses(source, module, package=package))


# --- The project ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project() -> list[Use]:
    return project_uses()


def test_every_module_of_the_three_packages_is_read(project):
    modules = {use.module for use in project}
    # A walk that found nothing would pass every rule: these must be among what it read.
    assert {"blanko.services.posting", "layanan.services.printing",
            "layanan.supervision.forecast", "config.tooling.demo.ledger",
            "blanko.migrations.0001_initial"} <= modules
    assert len(source_files()) > 60


@pytest.mark.parametrize("rule", list(RULES))
def test_the_layers_go_one_way(project, rule):
    bad = offenders(rule, project)
    if bad:
        modules = len({line.split(":")[0] for line in bad})
        pytest.fail(f"{EXPLAINED[rule]}. Offenders in {modules} module(s):\n  "
                    + "\n  ".join(bad), pytrace=False)


# --- The checker can fail: synthetic modules -------------------------------------------


@pytest.mark.parametrize("source", [
    "from blanko.models import Movement",
    "from blanko.models import Office, Balance as B",
    "from blanko.models import *",
    "import blanko.models\nblanko.models.Location.objects.all()",
    "import blanko.models as ledger\nledger.Loan.objects.count()",
    "from blanko import models\nmodels.Shipment.Status.SENT",
    "from blanko import models as ledger_models\nledger_models.Location.Kind.STOCK",
    "import blanko.selectors\nblanko.selectors.Movement",  # a re-export
    "def late():\n    from blanko.models import Balance\n    return Balance",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from blanko.models import Loan",
    "from django.apps import apps\nM = apps.get_model('blanko', 'Movement')",
    "from django.apps import apps\nM = apps.get_model('blanko.Balance')",
])
def test_the_ledger_rule_catches_every_road_to_a_ledger_model(source):
    bad = offenders_in(source, "layanan.selectors", "ledger")
    assert bad and all(line.startswith("layanan/selectors.py:") for line in bad)


@pytest.mark.parametrize("source", [
    "from blanko.models import Office, StaffProfile",
    "from blanko import selectors, services\nselectors.stock_on_hand",
    "import blanko.models\nblanko.models.Office.objects.all()",
    "from django.db import models\nmodels.Model",
    "from layanan.models import ServiceRequest",
    "note = 'from blanko.models import Movement'",  # a string is not an import
    "# from blanko.models import Movement",
])
def test_the_ledger_rule_lets_the_rest_through(source):
    assert offenders_in(source, "layanan.selectors", "ledger") == []


@pytest.mark.parametrize("module", [
    "blanko.selectors.balances", "blanko.migrations.0001_initial", "blanko",
    "config.tooling.bulk.load", "config.tooling.management.commands.benchmark",
])
def test_blanko_and_the_tooling_may_use_the_ledger_models(module):
    source = "from blanko.models import Movement, Balance\nimport blanko.models\nblanko.models.Loan"
    assert offenders_in(source, module, "ledger") == []


def test_migrations_outside_blanko_may_read_historical_models_only():
    module = "layanan.migrations.0009_example"
    assert offenders_in("M = apps.get_model('blanko', 'Movement')", module, "ledger") == []
    assert offenders_in("from blanko.models import Movement", module, "ledger") == [
        "layanan/migrations/0009_example.py:1: import blanko.models.Movement"]


def test_the_ledger_rule_reports_the_path_and_line():
    source = "import datetime\n\nfrom blanko.models import Location\n"
    assert offenders_in(source, "layanan.services.printing", "ledger") == [
        "layanan/services/printing.py:3: import blanko.models.Location"]


@pytest.mark.parametrize(("module", "source", "package"), [
    ("layanan.views.staff", "from layanan.supervision import forecast", False),
    ("layanan.views.staff", "from layanan import supervision", False),
    ("layanan.selectors", "import layanan.supervision.forecast", False),
    ("layanan.services.printing", "from ..supervision.forecast import x", False),
    ("layanan.services", "from ..supervision import rollup", True),
    ("layanan.services", "import layanan\nlayanan.supervision.rollup.x()", True),
    ("blanko.views", "from layanan.supervision.dashboard import office_dashboard", False),
])
def test_the_supervision_rule_catches_imports_from_below(module, source, package):
    assert offenders_in(source, module, "supervision", package=package)


@pytest.mark.parametrize(("module", "source"), [
    ("layanan.supervision.views.dashboard", "from layanan.supervision import charts"),
    ("layanan.supervision.rollup", "from . import forecast"),
    ("config.urls", "from layanan.supervision import urls"),
    ("config.tooling.demo.requests", "from layanan.supervision import forecast"),
    ("layanan.views.staff", "from layanan import selectors, services"),
    ("layanan.urls", "# supervision is joined in config.urls, never here"),
])
def test_the_supervision_rule_lets_supervision_and_config_import_it(module, source):
    assert offenders_in(source, module, "supervision") == []


@pytest.mark.parametrize("source", [
    "from layanan.models import ServiceRequest",
    "import layanan",
    "from layanan import services",
    "from config.tooling.demo import ledger",
    "def seed():\n    import config.tooling.bulk",
])
def test_the_blanko_rule_catches_blanko_looking_up(source):
    assert offenders_in(source, "blanko.services.posting", "blanko")


def test_the_blanko_rule_lets_blanko_use_itself_and_config():
    source = "from blanko.models import Movement\nfrom config.client_ip import client_ip"
    assert offenders_in(source, "blanko.services.posting", "blanko") == []
    assert offenders_in("from ..models import Movement", "blanko.services.posting",
                        "blanko") == []


@pytest.mark.parametrize(("module", "source"), [
    ("layanan.views.staff", "from config.tooling.bulk import seed_bulk"),
    ("config.urls", "from config import tooling"),
    ("config.settings", "import config.tooling.apps"),
    ("blanko.admin", "from config.tooling.demo.ledger import seed"),
    ("layanan.supervision.forecast", "from config.tooling import benchmarking"),
])
def test_the_tooling_rule_catches_runtime_code_importing_it(module, source):
    assert offenders_in(source, module, "tooling")


def test_the_tooling_rule_lets_the_tooling_import_itself_and_both_apps():
    source = ("from config.tooling.bulk import writer\nfrom blanko.models import Movement\n"
              "from layanan.supervision import forecast")
    module = "config.tooling.management.commands.seed_bulk"
    assert all(offenders_in(source, module, rule) == [] for rule in RULES)
    # An app listed by name in settings is not an import.
    assert offenders_in("INSTALLED_APPS = ['config.tooling']", "config.settings", "tooling") == []


@pytest.mark.parametrize("source", [
    "from blanko.services.offices import office_location",
    "def late():\n    from blanko import services\n    return services",
    "import blanko.services.posting",
])
def test_the_selectors_rule_catches_a_selector_reaching_a_service(source):
    assert offenders_in(source, "blanko.selectors.flows", "selectors")
    assert offenders_in(source, "blanko.services.stock", "selectors") == []


# --- The tests' own structure: conftest files hold fixtures, helpers are imported ---------


def is_fixture(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (chain(target) if isinstance(target, ast.Attribute) else None) == ["pytest", "fixture"]:
            return True
    return False


def test_conftest_files_define_fixtures_only():
    """Plain helpers belong in tests/helpers.py or tests/<app>/helpers.py, imported by name."""
    bad = []
    for path in sorted((ROOT / "tests").rglob("conftest.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.FunctionDef | ast.ClassDef)
                    and not node.name.startswith("pytest_")  # pytest's hooks
                    and not (isinstance(node, ast.FunctionDef) and is_fixture(node))):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.name}")
    assert bad == [], "helpers in conftest (move them to a helpers module):\n" + "\n".join(bad)


def test_no_test_module_imports_from_a_conftest():
    bad = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        module = module_name(path)
        for use in uses(path.read_text(encoding="utf-8"), module,
                        package=path.name == "__init__.py"):
            if use.how == "import" and "conftest" in use.target.split("."):
                bad.append(f"{path.relative_to(ROOT)}:{use.line}: import {use.target}")
    assert bad == [], ("import helpers from tests/helpers.py or tests/<app>/helpers.py, "
                       "not from a conftest:\n" + "\n".join(bad))
