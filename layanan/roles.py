"""The service-request permissions of each role (see blanko.roles)."""

from __future__ import annotations

from blanko.access import ADMINISTRATOR, OPERATOR, SUPERVISOR
from blanko.roles import grant

_OPERATOR = ["register_request", "process_request", "view_personal_data", "view_servicerequest"]

LAYANAN_ROLES: dict[str, list[str]] = {
    OPERATOR: _OPERATOR,
    SUPERVISOR: _OPERATOR + ["view_access_log", "export_personal_data"],
    ADMINISTRATOR: ["view_servicerequest"],
}


def ensure_roles(sender, **kwargs) -> None:
    """post_migrate handler of the layanan app."""
    from django.contrib.auth.models import Group, Permission

    grant(app_label="layanan", roles=LAYANAN_ROLES, group_model=Group,
          permission_model=Permission)
