"""The authentication backend: Django's ModelBackend in fewer queries per request.

Every signed-in page needs the user, the staff profile and its office (the scope of
every check, `blanko.access`) and the user's permissions. ModelBackend reads them in
five queries after the session's: the user, the profile, the office, the user's own
permissions and those of their groups. Here the user comes with the profile and office
joined, and the permissions of both kinds in one query, so a page starts from three.
On PostgreSQL the permissions come in the user's own query too (an array subquery), so
a page starts from two: the session and the user.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import CharField, OuterRef, Q, Value
from django.db.models.functions import Concat


def _permissions(user):
    """The permissions the user holds itself or through its groups (`user`: a pk or an
    OuterRef to one)."""
    return Permission.objects.filter(Q(user=user) | Q(group__user=user))


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = self._user_model()
        users = user_model._default_manager.select_related("staff_profile__office")
        with_permissions = connection.vendor == "postgresql"
        if with_permissions:
            users = users.annotate(permission_names=ArraySubquery(
                _permissions(OuterRef("pk")).annotate(dotted=Concat(
                    "content_type__app_label", Value("."), "codename",
                    output_field=CharField())).values("dotted")))
        try:
            user = users.get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        if with_permissions and not user.is_superuser:
            # What get_all_permissions would read, already here (a superuser holds
            # every permission: that set is read when asked, as before).
            user._perm_cache = set(user.permission_names)
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = _permissions(user_obj.pk)
            user_obj._perm_cache = {
                f"{app_label}.{codename}" for app_label, codename in
                permissions.values_list("content_type__app_label", "codename").distinct()
            }
        return user_obj._perm_cache

    @staticmethod
    def _user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()
