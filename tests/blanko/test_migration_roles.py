"""The data migrations grant the roles written in them, not the live role lists.

A migration runs once per database, at any later version of the code: importing
blanko.roles or layanan.roles would make it grant whatever they say on the day it
runs. Later changes to the roles come in new migrations (and blanko.roles.ensure_roles
adds what is missing after every migrate).
"""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest
from django.contrib.auth.models import Group

from blanko.roles import AUTH_ROLES, BLANKO_ROLES
from layanan.roles import LAYANAN_ROLES, SUPERVISOR_VIEW_ROLES

# migration module -> (app_label of the permissions, name of its frozen roles, live roles)
ROLE_MIGRATIONS = {
    "blanko.migrations.0002_roles": [("blanko", "ROLES", BLANKO_ROLES)],
    "layanan.migrations.0002_roles": [("layanan", "ROLES", LAYANAN_ROLES),
                                      ("auth", "AUTH_ROLES", AUTH_ROLES)],
    "layanan.migrations.0004_dashboard_roles": [("layanan", "ROLES", SUPERVISOR_VIEW_ROLES)],
    "blanko.migrations.0012_supply_roles": [("blanko", "ROLES", BLANKO_ROLES)],
    "blanko.migrations.0015_rebalancing_roles": [("blanko", "ROLES", BLANKO_ROLES)],
    "layanan.migrations.0012_network_dashboard_roles": [
        ("layanan", "ROLES", SUPERVISOR_VIEW_ROLES)],
}
# What a migration may still import from the live code: helpers that take the
# historical models as arguments, no data.
HELPERS = {"create_all_permissions", "grant"}


def imported_names(module) -> set[tuple[str, str]]:
    tree = ast.parse(inspect.getsource(module))
    return {(node.module, alias.name) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names}


@pytest.mark.parametrize("name", sorted(ROLE_MIGRATIONS))
def test_a_role_migration_imports_no_role_list(name):
    module = importlib.import_module(name)
    live = {(source, imported) for source, imported in imported_names(module)
            if source.startswith(("blanko", "layanan"))}
    assert {imported for _, imported in live} <= HELPERS, live


@pytest.mark.parametrize("name", sorted(ROLE_MIGRATIONS))
def test_every_permission_a_role_migration_granted_is_still_a_role_permission(name):
    """grant() never takes a permission away: one dropped from the live roles would
    stay on every database migrated before, unless a migration revokes it."""
    module = importlib.import_module(name)
    for _, frozen_name, live in ROLE_MIGRATIONS[name]:
        frozen = getattr(module, frozen_name)
        assert set(frozen) <= set(live)
        for role, codenames in frozen.items():
            assert set(codenames) <= set(live[role]), (frozen_name, role)


@pytest.mark.django_db
def test_every_codename_a_role_migration_grants_exists_and_is_held():
    for name, grants in ROLE_MIGRATIONS.items():
        module = importlib.import_module(name)
        for app_label, frozen_name, _ in grants:
            for role, codenames in getattr(module, frozen_name).items():
                held = set(Group.objects.get(name=role).permissions.filter(
                    content_type__app_label=app_label).values_list("codename", flat=True))
                assert set(codenames) <= held, (name, role)
