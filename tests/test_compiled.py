"""config.compiled and the session engine that reads through it (config.sessions)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blanko.models import Office
from config.compiled import Compiled
from config.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_compiled_read_gives_what_the_orm_gives_for_any_parameters(office, other_office):
    names = Compiled(lambda code: Office.all_objects.filter(code=code).values_list("name"), "?")
    for code in (office.code, other_office.code, "9999"):
        assert names.rows(code) == list(
            Office.all_objects.filter(code=code).values_list("name"))


def test_a_query_that_takes_a_parameter_of_its_own_is_refused():
    # Office.objects leaves Ditjen's store out: its code is a parameter the statement
    # would keep from the first compile.
    kab_kota = Compiled(lambda code: Office.objects.filter(code=code).values_list("pk"), "?")
    with pytest.raises(RuntimeError, match="not its placeholders"):
        kab_kota.rows("2171")


@pytest.fixture
def stored():
    session = db.SessionStore()
    session["_auth_user_id"] = "7"
    session.save()
    return session


def test_the_session_reads_as_django_s_in_one_query(stored):
    with CaptureQueriesContext(connection) as queries:
        loaded = SessionStore(stored.session_key).load()
    assert loaded == db.SessionStore(stored.session_key).load() == {"_auth_user_id": "7"}
    assert len(queries.captured_queries) == 1


@pytest.mark.parametrize("key", ["", None, "x" * 40, "abcdefgh\x00ijkl", "abcdefgh'--", "é" * 32])
def test_no_session_or_an_unknown_one_is_empty(key):
    session = SessionStore(key)
    assert session.load() == {}
    assert session.session_key is None


def test_an_expired_session_is_empty_and_its_key_dropped(stored):
    Session.objects.filter(pk=stored.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    session = SessionStore(stored.session_key)
    assert session.load() == {}
    assert session.session_key is None


def test_a_session_about_to_expire_is_still_read(stored):
    Session.objects.filter(pk=stored.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=30))
    assert SessionStore(stored.session_key).load() == {"_auth_user_id": "7"}
