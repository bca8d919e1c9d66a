"""Who may do what, for which office.

Roles are Django groups (created by a data migration) carrying permissions;
the office comes from the user's StaffProfile. Services and views both call
`ensure_permission`, so a hidden button is never the only guard.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from blanko.models import Office

OPERATOR = "Operator"
SUPERVISOR = "Supervisor"
ADMINISTRATOR = "Administrator"
VIEWER = "Viewer"

ROLES = (OPERATOR, SUPERVISOR, ADMINISTRATOR, VIEWER)


def _profile(user):
    return getattr(user, "staff_profile", None)


def user_office(user) -> Office | None:
    profile = _profile(user)
    return profile.office if profile else None


def is_national(user) -> bool:
    """Superusers and staff with no office and no region see every office."""
    if user.is_superuser:
        return True
    profile = _profile(user)
    return bool(profile and profile.office_id is None and not profile.region_code)


def offices_in_scope(user) -> QuerySet[Office]:
    if not user.is_authenticated:
        return Office.objects.none()
    if is_national(user):
        return Office.objects.all()
    profile = _profile(user)
    if profile is None:
        return Office.objects.none()
    if profile.office_id is not None:
        return Office.objects.filter(pk=profile.office_id)
    return Office.objects.filter(code__startswith=profile.region_code)


def can_access_office(user, office: Office) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_national(user):
        return True
    profile = _profile(user)
    if profile is None:
        return False
    if profile.office_id is not None:
        return profile.office_id == office.pk
    return bool(profile.region_code) and office.code.startswith(profile.region_code)


def has_permission(user, perm: str, office: Office | None = None) -> bool:
    if not user.has_perm(perm):
        return False
    return office is None or can_access_office(user, office)


def ensure_permission(user, perm: str, office: Office | None = None) -> None:
    if not has_permission(user, perm, office):
        raise PermissionDenied("Anda tidak berwenang melakukan tindakan ini untuk kantor ini.")
