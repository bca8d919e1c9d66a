"""The authentication backend: Django's ModelBackend at less cost per request.

Every signed-in page needs the user, the staff profile and its office (the scope of
every check, `blanko.access`) and the user's permissions. ModelBackend reads them in
five queries after the session's: the user, the profile, the office, the user's own
permissions and those of their groups. Here the user comes with the profile and office
joined, and the permissions of both kinds in one more query, so a page starts from three.

That permissions query has the same shape on every request; only the user's id
changes. Building and compiling it through the ORM cost more than running it (issue
10: on PostgreSQL 0.8 ms of the 1.2 ms that a signed-in page spent on its
permissions), so it is compiled once (config.compiled) and run with the id. An
earlier version read the permissions inside the user's query, as an array subquery:
one query fewer, but more than twice the time, because that query was built anew on
every request.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from config.compiled import Compiled


def _permissions(*, own_of: int, groups_of: int):
    """(app_label, codename) of the permissions user `own_of` holds itself, and those
    user `groups_of` holds through its groups (the same user, for the backend; two
    names so that the compiled statement's two parameters can be told apart)."""
    own = get_user_model().user_permissions.through.objects.filter(user_id=own_of)
    through_groups = Group.permissions.through.objects.filter(group__user=groups_of)
    ids = own.values("permission_id").union(through_groups.values("permission_id"), all=True)
    return (Permission.objects.filter(pk__in=ids).order_by()
            .values_list("content_type__app_label", "codename"))


_PERMISSIONS = Compiled(lambda own, groups: _permissions(own_of=own, groups_of=groups), -1, -2)


def permission_names(user_id: int) -> set[str]:
    """"app_label.codename" of every permission the user holds itself or through its
    groups (a superuser's are not read here: it holds them all)."""
    return {f"{app_label}.{codename}" for app_label, codename in
            _PERMISSIONS.rows(user_id, user_id)}


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = (user_model._default_manager.select_related("staff_profile__office")
                    .get(pk=user_id))
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                user_obj._perm_cache = {
                    f"{app_label}.{codename}" for app_label, codename in
                    Permission.objects.values_list("content_type__app_label", "codename")
                }
            else:
                user_obj._perm_cache = permission_names(user_obj.pk)
        return user_obj._perm_cache
