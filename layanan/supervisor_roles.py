"""Who sees the supervisor views: the dashboard, the monthly report, key dates.

Kept apart from layanan.roles so that the dashboard brings its own grants; a
data migration applies them to a new database and a post_migrate handler keeps
them after every migrate or flush, as blanko.roles explains.
"""

from __future__ import annotations

from blanko.access import ADMINISTRATOR, SUPERVISOR, VIEWER
from blanko.roles import grant

_KEY_DATE_ADMIN = ["view_keydate", "add_keydate", "change_keydate", "delete_keydate"]

SUPERVISOR_VIEW_ROLES: dict[str, list[str]] = {
    SUPERVISOR: ["view_dashboard", "view_report"],
    ADMINISTRATOR: ["view_dashboard", "view_report", *_KEY_DATE_ADMIN],
    # Province and national viewers read the rollup and each office's dashboard.
    VIEWER: ["view_dashboard"],
}


def ensure_supervisor_view_roles(sender, **kwargs) -> None:
    """post_migrate handler of the layanan app."""
    from django.contrib.auth.models import Group, Permission

    grant(app_label="layanan", roles=SUPERVISOR_VIEW_ROLES, group_model=Group,
          permission_model=Permission)
