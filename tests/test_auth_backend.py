"""config.auth.StaffBackend: Django's ModelBackend answers, in fewer queries."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
