"""Who may write what, for which office. Services check it, so a hidden button is not the guard."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from blanko import access, migrations, services
from blanko.models import Loan, Movement, StaffProfile
from tests.blanko.helpers import PARTNER_BINTAN, previous_month_day, refused
from tests.factories import make_user

Cause = Movement.Cause


def supervisor_actions(office, other_office):
    """Every ledger write a supervisor may make at `office`, as (name, call(user))."""
    return {
        "receive_allocation": lambda by: services.receive_allocation(
            office=office, quantity=5, reference="BAST/1", by=by),
        "receive_from_province": lambda by: services.receive_from_province(
            office=office, quantity=5, reference="BAST/2", by=by),
        "lend_to_partner": lambda by: services.lend_to_partner(
            office=office, partner_code=PARTNER_BINTAN, quantity=5, reference="470/1", by=by),
        "borrow_from_partner": lambda by: services.borrow_from_partner(
            office=office, partner_code=PARTNER_BINTAN, quantity=5, reference="470/1", by=by),
        "lend_to_office": lambda by: services.lend_to_office(
            lender=office, borrower=other_office, quantity=5, reference="470/2", by=by),
        "record_stock_count": lambda by: services.record_stock_count(
            office=office, counted_quantity=90, by=by, reason="hilang"),
        "destroy_spoiled": lambda by: services.destroy_spoiled(
            office=office, quantity=1, number="BA/1", by=by),
        "reverse_movement": lambda by: services.reverse_movement(
            movement=Movement.objects.filter(reason=Movement.Reason.ISSUE).first(), by=by,
            reason="keliru"),
        "close_month": lambda by: services.close_month(
            office=office, month=previous_month_day(), by=by),
        "repay_loan": lambda by: services.repay_loan(
            loan=Loan.objects.get(reference="470/9"), quantity=1, by=by),
    }


def operator_actions(office):
    return {
        "issue_blank": lambda by: services.issue_blank(office=office, by=by),
        "spoil_blank": lambda by: services.spoil_blank(office=office, by=by, cause=Cause.DAMAGED),
    }


@pytest.fixture
def ready(stocked, operator, root):
    """Stock, a spoiled blank, an issued one and a loan, so that every action could succeed."""
    services.spoil_blank(office=stocked, by=operator, cause=Cause.DAMAGED, quantity=2)
    services.issue_blank(office=stocked, by=operator)
    services.borrow_from_partner(office=stocked, partner_code="2102", quantity=5,
                                 reference="470/9", by=root)
    return stocked


SUPERVISOR_ACTIONS = list(supervisor_actions(None, None))
OPERATOR_ACTIONS = list(operator_actions(None))


@pytest.mark.parametrize("action", SUPERVISOR_ACTIONS)
def test_an_operator_cannot_do_supervisor_work(ready, other_office, operator, action):
    with refused(PermissionDenied, match="tidak berwenang"):
        supervisor_actions(ready, other_office)[action](operator)


@pytest.mark.parametrize("action", SUPERVISOR_ACTIONS)
def test_a_supervisor_of_another_office_cannot_act_on_this_office(
    ready, other_office, other_supervisor, action
):
    with refused(PermissionDenied):
        supervisor_actions(ready, other_office)[action](other_supervisor)


@pytest.mark.parametrize("action", SUPERVISOR_ACTIONS + OPERATOR_ACTIONS)
def test_a_viewer_cannot_write_anything(ready, other_office, region_viewer, action):
    actions = {**supervisor_actions(ready, other_office), **operator_actions(ready)}
    assert access.can_access_office(region_viewer, ready)  # in scope, yet read-only
    with refused(PermissionDenied):
        actions[action](region_viewer)


@pytest.mark.parametrize("action", OPERATOR_ACTIONS)
def test_an_operator_of_another_office_cannot_draw_here(ready, other_operator, action):
    with refused(PermissionDenied):
        operator_actions(ready)[action](other_operator)


@pytest.mark.parametrize("action", SUPERVISOR_ACTIONS)
def test_the_office_supervisor_may_do_supervisor_work(ready, other_office, supervisor, action):
    assert supervisor_actions(ready, other_office)[action](supervisor) is not None


@pytest.mark.parametrize("action", OPERATOR_ACTIONS)
def test_the_office_operator_may_draw_and_spoil(ready, operator, action):
    assert operator_actions(ready)[action](operator).pk


def test_an_inactive_supervisor_cannot_act(ready, supervisor):
    supervisor.is_active = False
    supervisor.save()
    with refused(PermissionDenied):
        services.record_stock_count(office=ready, counted_quantity=1, by=supervisor, reason="x")


def test_a_user_without_a_profile_has_no_office(db):
    user = make_user(access.SUPERVISOR, None)
    assert access.user_office(user) is None
    assert not access.offices_in_scope(user).exists()


def test_a_region_viewer_sees_the_offices_of_its_province_only(office, other_office,
                                                               region_viewer):
    far = make_user(access.VIEWER, None, office__region="31")
    assert set(access.offices_in_scope(region_viewer)) == {office, other_office}
    assert not access.offices_in_scope(far).exists()
    assert not access.can_access_office(far, office)


def test_a_national_viewer_sees_every_office(office, other_office):
    national = make_user(access.VIEWER, None, office__national=True)
    assert access.is_national(national)
    assert set(access.offices_in_scope(national)) == {office, other_office}
    assert access.can_access_office(national, other_office)


def test_a_profile_with_no_office_and_no_region_sees_nothing(office, other_office):
    """National scope is an explicit choice, never what an emptied profile falls back to."""
    user = make_user(access.ADMINISTRATOR, office, is_staff=True)
    StaffProfile.objects.filter(user=user).update(office=None, region_code="")
    user = User.objects.get(pk=user.pk)
    assert not access.is_national(user)
    assert not access.offices_in_scope(user).exists()
    assert not access.can_access_office(user, office)


@pytest.mark.parametrize("scope", [
    {"national": True, "office": "own"},
    {"national": True, "region_code": "21"},
    {"office": "own", "region_code": "21"},
])
def test_the_database_refuses_an_incoherent_scope(office, scope):
    user = make_user(access.VIEWER, None)
    fields = {**scope, "office": office} if "office" in scope else scope
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(user=user, **fields)
    assert not StaffProfile.objects.filter(user=user).exists()


def test_the_migration_keeps_existing_empty_profiles_national(office):
    """Before explicit scope, a profile with no office and no region was national."""
    from django.apps import apps

    name = next(path.stem for path in Path(migrations.__file__).parent.glob("*.py")
                if path.stem.endswith("_staffprofile_national"))
    migration = importlib.import_module(f"blanko.migrations.{name}")
    empty = make_user(access.VIEWER, None, office__region="21")
    StaffProfile.objects.filter(user=empty).update(region_code="")
    regional = make_user(access.VIEWER, None, office__region="21")
    at_office = make_user(access.OPERATOR, office)
    migration.mark_empty_profiles_national(apps, None)
    assert access.is_national(User.objects.get(pk=empty.pk))
    assert not access.is_national(User.objects.get(pk=regional.pk))
    assert not access.is_national(User.objects.get(pk=at_office.pk))
