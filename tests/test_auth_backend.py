"""config.auth.StaffBackend: Django's ModelBackend answers, in fewer queries."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blanko import access
from config import auth
from config.auth import StaffBackend
from config.compiled import Compiled
from tests.factories import make_user


@pytest.mark.parametrize("role", access.ROLES)
def test_every_role_gets_the_permissions_modelbackend_would_give(office, role):
    user = make_user(role, office, username=f"u_{role.lower()}")
    expected = ModelBackend().get_all_permissions(user)
    user = type(user).objects.get(pk=user.pk)  # no cache from the call above
    assert expected  # every role holds something
    assert StaffBackend().get_all_permissions(user) == expected


def test_a_superuser_holds_every_permission_and_an_inactive_user_none(db, office, root):
    assert StaffBackend().get_all_permissions(root) == ModelBackend().get_all_permissions(root)
    inactive = make_user(access.SUPERVISOR, office, username="gone", is_active=False)
    assert StaffBackend().get_all_permissions(inactive) == set()
    assert StaffBackend().get_user(inactive.pk) is None


def test_the_user_comes_with_its_profile_and_office(supervisor, office):
    user = StaffBackend().get_user(supervisor.pk)
    with CaptureQueriesContext(connection) as queries:
        assert access.user_office(user) == office
        assert user.staff_profile.office.code == office.code
    assert queries.captured_queries == []


def test_a_signed_in_page_reads_the_permissions_once_and_the_profile_with_the_user(
    client, supervisor
):
    client.force_login(supervisor)
    url = reverse("blanko:office_list")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum('"auth_permission"' in q for q in sql) == 1
    assert not [q for q in sql if q.lstrip().startswith('SELECT "blanko_staffprofile"')]


@pytest.mark.parametrize("role", access.ROLES)
def test_a_user_and_its_permissions_take_two_queries(office, role):
    made = make_user(role, office, username=f"u_{role.lower()}")
    expected = ModelBackend().get_all_permissions(made)
    with CaptureQueriesContext(connection) as queries:
        user = StaffBackend().get_user(made.pk)
        assert StaffBackend().get_all_permissions(user) == expected
        assert user.has_perm(next(iter(expected)))
        assert not user.has_perm("blanko.no_such_permission")
    assert len(queries.captured_queries) == 2


def test_the_permissions_query_is_compiled_once_and_run_with_each_user_s_id(
    office, supervisor, operator
):
    statement = Compiled(lambda own, groups: auth._permissions(own_of=own, groups_of=groups),
                         -1, -2)
    with patch.object(auth, "_PERMISSIONS", statement), \
            patch.object(auth, "_permissions", wraps=auth._permissions) as build:
        first = auth.permission_names(supervisor.pk)
        second = auth.permission_names(operator.pk)
    assert build.call_count == 1
    assert first == ModelBackend().get_all_permissions(supervisor)
    assert second == ModelBackend().get_all_permissions(operator)
    assert first != second


def test_a_permission_taken_away_holds_from_the_next_request(client, supervisor, office):
    """The permissions are read once per request, never kept between requests."""
    client.force_login(supervisor)
    url = reverse("layanan:dashboard", kwargs={"code": office.code})
    assert client.get(url).status_code == 200
    supervisor.groups.clear()
    assert client.get(url).status_code == 403


def test_a_superuser_s_permissions_are_still_every_permission(root):
    user = StaffBackend().get_user(root.pk)
    assert StaffBackend().get_all_permissions(user) == ModelBackend().get_all_permissions(root)


def _as_select_related_gives(user_id):
    return type(StaffBackend().get_user(user_id))._default_manager.select_related(
        "staff_profile__office").get(pk=user_id)


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields}


@pytest.mark.parametrize("scope", ["office", "region", "national"])
def test_the_user_profile_and_office_are_those_select_related_gives(office, scope):
    made = make_user(access.SUPERVISOR, office, username="sup")
    profile = made.staff_profile
    if scope != "office":
        profile.office, profile.region_code = None, "21" if scope == "region" else ""
        profile.national = scope == "national"
        profile.save()
    made.last_login = timezone.now()
    made.save()
    expected = _as_select_related_gives(made.pk)
    with CaptureQueriesContext(connection) as queries:
        user = StaffBackend().get_user(made.pk)
        assert _values(user) == _values(expected)
        assert _values(user.staff_profile) == _values(expected.staff_profile)
        assert user.staff_profile.user is user
        if scope == "office":
            assert _values(user.staff_profile.office) == _values(expected.staff_profile.office)
            assert user.staff_profile.office.created_at.tzinfo is not None
        else:
            assert user.staff_profile.office is None
        assert user.last_login.tzinfo is not None and user.is_active is True
    assert len(queries.captured_queries) == 1
    assert user._state.db == connection.alias and not user._state.adding


def test_a_user_without_a_profile_has_none_without_a_query(root):
    user = StaffBackend().get_user(root.pk)
    with CaptureQueriesContext(connection) as queries:
        assert access.user_office(user) is None
        assert access.is_national(user)
    assert queries.captured_queries == []


@pytest.mark.parametrize("user_id", [None, "abc", "", 0, 10**12, 10**20])
def test_no_user_for_an_id_that_names_none(db, user_id):
    assert StaffBackend().get_user(user_id) is None
