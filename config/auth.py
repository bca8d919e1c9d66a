"""The authentication backend: Django's ModelBackend at less cost per request.

Every signed-in page needs the user, the staff profile and its office (the scope of
every check, `blanko.access`) and the user's permissions. ModelBackend reads them in
five queries after the session's: the user, the profile, the office, the user's own
permissions and those of their groups. Here the user comes with the profile and office
joined, and the permissions of both kinds in one more query, so a page starts from three.

Both reads have the same shape on every request; only the user's id changes. Building
and compiling them through the ORM cost more than running them (issue 10, on
PostgreSQL: 0.45 of the 0.6 ms the user's select_related read took, 0.8 of the 1.2 ms
of the permissions), so each is compiled once (config.compiled) and run with the id;
the user, profile and office are made from the row as select_related makes them. An
earlier version read the permissions inside the user's query, as an array subquery:
one query fewer, but more than twice the time, because that query was built anew on
every request.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection

from blanko.models import Office, StaffProfile
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


class _Columns:
    """A model's concrete columns as a values_list reads them through `path` (the
    relation from the user), and how to make an instance of the model from them: each
    value converted as the ORM converts it (on SQLite a datetime comes as text, a
    boolean as 0 or 1), then Model.from_db."""

    def __init__(self, model, path: str = "") -> None:
        self.model = model
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self.lookups = [f"{path}__{name}" if path else name for name in self.names]
        self._converters: dict[str, list] = {}

    def _converters_here(self) -> list:
        """Per column, its converters on this database (read once per vendor)."""
        if connection.vendor not in self._converters:
            columns = [field.get_col(self.model._meta.db_table) for field in self.fields]
            self._converters[connection.vendor] = [
                (column, connection.ops.get_db_converters(column)
                 + column.get_db_converters(connection)) for column in columns]
        return self._converters[connection.vendor]

    def instance(self, values: tuple):
        converted = []
        for (column, converters), value in zip(self._converters_here(), values, strict=True):
            for convert in converters:
                value = convert(value, column, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.names, converted)


@functools.cache
def _user_columns() -> tuple[_Columns, _Columns, _Columns]:
    return (_Columns(get_user_model()), _Columns(StaffProfile, "staff_profile"),
            _Columns(Office, "staff_profile__office"))


def _user_with_office(user_id: int):
    users, profiles, offices = _user_columns()
    return get_user_model()._default_manager.filter(pk=user_id).values_list(
        *users.lookups, *profiles.lookups, *offices.lookups)


_USER = Compiled(_user_with_office, -1)


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        """The user with its staff profile and office, as select_related would give them,
        from one compiled statement (config.compiled): building the select_related query
        took 0.45 of the 0.6 ms it cost."""
        try:
            rows = _USER.rows(int(user_id))
        except (TypeError, ValueError, OverflowError):
            return None
        if not rows:
            return None
        users, profiles, offices = _user_columns()
        row, a, b = rows[0], len(users.names), len(users.names) + len(profiles.names)
        user = users.instance(row[:a])
        profile = profiles.instance(row[a:b]) if row[a] is not None else None
        if profile is not None:
            StaffProfile.user.field.set_cached_value(profile, user)
            office = offices.instance(row[b:]) if row[b] is not None else None
            StaffProfile.office.field.set_cached_value(profile, office)
        # None too: a user with no profile then reads none without a query, as with
        # select_related.
        get_user_model().staff_profile.related.set_cached_value(user, profile)
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
