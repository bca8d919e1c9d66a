"""The role groups and their permissions.

A data migration creates them on a new database; a post_migrate handler makes
sure they are complete after every migrate or flush (Django's test flush wipes
data that migrations created). Each app names only its own permissions.
"""

from __future__ import annotations

from blanko.access import ADMINISTRATOR, NATIONAL, OPERATOR, PROVINCE, SUPERVISOR, VIEWER

_OPERATOR = ["issue_blank", "spoil_blank", "view_ledger"]
_SUPERVISOR = _OPERATOR + [
    "receive_blank", "manage_loan", "count_stock", "destroy_blank", "reverse_movement",
    "close_month",
    # The supply cycle (migration 0012): ask Ditjen for blanks, follow the requests.
    "request_blanks", "view_blank_request",
]
_ADMIN_MODELS = [
    "view_office", "add_office", "change_office", "view_staffprofile", "add_staffprofile",
    "change_staffprofile", "view_delivery", "add_delivery", "view_movement", "view_balance",
    "view_location", "view_loan", "add_loan", "view_stockcount", "add_stockcount",
    "view_destruction", "add_destruction", "view_monthclose", "add_monthclose", "view_shipment",
    "view_blankrequest",
]

BLANKO_ROLES: dict[str, list[str]] = {
    OPERATOR: _OPERATOR,
    SUPERVISOR: _SUPERVISOR,
    ADMINISTRATOR: _SUPERVISOR + _ADMIN_MODELS,
    VIEWER: ["view_ledger", "view_blank_request"],
    # The network roles (migration 0012), never grantable by an office's Administrator
    # (blanko.access.GRANTABLE_ROLES). Their dashboards: layanan.roles.
    PROVINCE: ["view_ledger", "view_blank_request", "forward_blank_request",
               # Province rebalancing (migration 0015).
               "propose_rebalancing"],
    NATIONAL: ["view_ledger", "view_blank_request", "allocate_blanks"],
}
# The Django admin manages users, so the Administrator role carries those rights; they
# reach only the users of the Administrator's own office, who may be given only the
# office roles (blanko.access.users_managed_by, groups_grantable_by). No delete_user:
# an account is deactivated, never deleted. No change_group: only a superuser edits roles.
AUTH_ROLES: dict[str, list[str]] = {
    ADMINISTRATOR: ["view_user", "add_user", "change_user", "view_group"],
}


def create_all_permissions(apps) -> None:
    """Creates the permissions of every app now, inside a data migration.

    Django only creates them after the last migration (post_migrate), too late
    for a migration that hands them to the role groups.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def grant(*, app_label: str, roles: dict[str, list[str]], group_model, permission_model
          ) -> None:
    """Adds each role's permissions of one app; never removes any."""
    for name, codenames in roles.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(*permission_model.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        ))


def ensure_roles(sender, **kwargs) -> None:
    """post_migrate handler of the blanko app."""
    from django.contrib.auth.models import Group, Permission

    grant(app_label="blanko", roles=BLANKO_ROLES, group_model=Group,
          permission_model=Permission)
    grant(app_label="auth", roles=AUTH_ROLES, group_model=Group, permission_model=Permission)
