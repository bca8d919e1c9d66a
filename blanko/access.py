"""Who may do what, for which office.

Roles are Django groups (created by a data migration) carrying permissions;
the scope comes from the user's StaffProfile: one office, one region, or
(explicitly, set by a superuser) national. A profile with none of them, or no
profile, sees nothing. Services and views both call `ensure_permission`, so a
hidden button is never the only guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from blanko.models import Office, StaffProfile

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    # A request's user: signed in, or anonymous (the public pages).
    AnyUser = AbstractUser | AnonymousUser

OPERATOR = "Operator"
SUPERVISOR = "Supervisor"
ADMINISTRATOR = "Administrator"
VIEWER = "Viewer"
# The supply cycle's network roles: a province coordinator (a profile with a 2-digit
# region_code) forwards the requests for blanks of its province; Ditjen's national
# allocator (a national profile) allocates and dispatches from the central store.
PROVINCE = "Province"
NATIONAL = "National"

# The office roles.
ROLES = (OPERATOR, SUPERVISOR, ADMINISTRATOR, VIEWER)
NETWORK_ROLES = (PROVINCE, NATIONAL)


def _profile(user: AnyUser) -> StaffProfile | None:
    return getattr(user, "staff_profile", None)


def user_office(user: AnyUser) -> Office | None:
    profile = _profile(user)
    return profile.office if profile else None


def user_region(user: AnyUser) -> str:
    """The province code a region-scoped profile holds ("" for anyone else)."""
    profile = _profile(user)
    return profile.region_code if profile else ""


def is_national(user: AnyUser) -> bool:
    """Superusers, and staff whose profile says national explicitly, see every office.

    A profile with no office and no region is not national: it sees nothing.
    """
    if user.is_superuser:
        return True
    profile = _profile(user)
    return bool(profile and profile.national)


def offices_in_scope(user: AnyUser) -> QuerySet[Office]:
    """The kab/kota offices `user` may see. Never Ditjen's central store (Office.objects
    leaves it out): a national user reaches it through `can_access_office`."""
    if not user.is_authenticated:
        return Office.objects.none()
    if is_national(user):
        return Office.objects.all()
    profile = _profile(user)
    if profile is None:
        return Office.objects.none()
    if profile.office_id is not None:
        return Office.objects.filter(pk=profile.office_id)
    if profile.region_code:
        return Office.objects.filter(code__startswith=profile.region_code)
    return Office.objects.none()


def can_access_office(user: AnyUser, office: Office) -> bool:
    """Whether `office` is in the user's scope. The central store ("00") is in no
    office's and no province's scope: only national users and superusers reach it."""
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


# --- Managing users (the Django admin's user pages) ------------------------------------
#
# A superuser manages everyone. An office's Administrator who is not a superuser
# manages the users of their own office only, and may hand out only the office roles
# below, always at their own office: never superuser, never a permission of its own,
# never another group (the network roles included), never a region or national scope.
GRANTABLE_ROLES = ROLES


def managed_office(user: AnyUser) -> Office | None:
    """The office whose users `user` may manage, or None (a superuser manages all)."""
    if user.is_superuser or not user.is_active or not user.has_perm("auth.change_user"):
        return None
    profile = _profile(user)
    return profile.office if profile and not profile.national else None


def users_managed_by(user: AnyUser) -> QuerySet:
    """The users `user` may see and change in the admin."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    model = get_user_model()
    if user.is_superuser and user.is_active:
        return model.objects.all()
    office = managed_office(user)
    if office is None:
        return model.objects.none()
    return (
        model.objects.filter(is_superuser=False, staff_profile__office=office,
                             staff_profile__national=False)
        # Someone holding more than the office roles is above this Administrator.
        .exclude(groups__in=Group.objects.exclude(name__in=GRANTABLE_ROLES))
        .exclude(user_permissions__isnull=False)
    )


def groups_grantable_by(user: AnyUser) -> QuerySet:
    from django.contrib.auth.models import Group

    if user.is_superuser:
        return Group.objects.all()
    if managed_office(user) is None:
        return Group.objects.none()
    return Group.objects.filter(name__in=GRANTABLE_ROLES)


def has_permission(user: AnyUser, perm: str, office: Office | None = None) -> bool:
    if not user.has_perm(perm):
        return False
    return office is None or can_access_office(user, office)


def ensure_permission(user: AnyUser, perm: str, office: Office | None = None) -> None:
    if not has_permission(user, perm, office):
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini untuk kantor ini."))
