"""The service-request and supervisor-view permissions of each role (see blanko.roles)."""

from __future__ import annotations

from blanko.access import ADMINISTRATOR, NATIONAL, OPERATOR, PROVINCE, SUPERVISOR, VIEWER
from blanko.roles import grant

_OPERATOR = ["register_request", "process_request", "view_personal_data", "view_servicerequest"]

LAYANAN_ROLES: dict[str, list[str]] = {
    OPERATOR: _OPERATOR,
    SUPERVISOR: _OPERATOR + ["view_access_log", "export_personal_data"],
    ADMINISTRATOR: ["view_servicerequest"],
}

_KEY_DATE_ADMIN = ["view_keydate", "add_keydate", "change_keydate", "delete_keydate"]

# The dashboard, the monthly report and the key dates (added by migration 0004).
SUPERVISOR_VIEW_ROLES: dict[str, list[str]] = {
    SUPERVISOR: ["view_dashboard", "view_report"],
    ADMINISTRATOR: ["view_dashboard", "view_report", *_KEY_DATE_ADMIN],
    # Province and national viewers read the rollup and each office's dashboard; so do
    # the network roles (the province coordinator, Ditjen's allocator).
    VIEWER: ["view_dashboard"],
    PROVINCE: ["view_dashboard"],
    NATIONAL: ["view_dashboard"],
}


def ensure_roles(sender, **kwargs) -> None:
    """post_migrate handler of the layanan app."""
    from django.contrib.auth.models import Group, Permission

    for roles in (LAYANAN_ROLES, SUPERVISOR_VIEW_ROLES):
        grant(app_label="layanan", roles=roles, group_model=Group,
              permission_model=Permission)
