"""The user admin, tried by an office Administrator who is not a superuser.

Each escalation is a real POST built from the page the Administrator was shown, so a
refusal is never an artefact of a malformed form. Nothing may change.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from blanko import access
from blanko.models import StaffProfile
from tests.factories import make_user


def form_data(response, **changes) -> dict:
    """The POST a browser would send for the admin page in `response`, with `changes`."""
    data: dict = {}

    def add(form):
        for field in form:
            if field.field.disabled:
                continue
            value = field.value()
            widget = field.field.widget
            if hasattr(widget, "widgets"):  # a split date and time
                parts = widget.decompress(value) if value else [None] * len(widget.widgets)
                for index, part in enumerate(parts):
                    if part is not None:
                        data[f"{field.html_name}_{index}"] = str(part)
            elif isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(item) for item in value]
            elif value is not None:
                data[field.html_name] = str(value)

    context = response.context
    add(context["adminform"].form)
    for inline in context.get("inline_admin_formsets", []):
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def password_url(user) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def fresh(user) -> User:
    return User.objects.select_related("staff_profile").get(pk=user.pk)


@pytest.fixture
def signed_in(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def others(other_operator, root, operator):
    """A Batam operator, the national superuser and a colleague in Tanjungpinang."""
    return {"batam": other_operator, "root": root, "colleague": operator}


def test_an_office_administrator_lists_only_the_users_of_their_office(signed_in, others):
    response = signed_in.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 200
    listed = {user.username for user in response.context["cl"].result_list}
    assert listed == {"admin_uji", "petugas_uji"}
    body = response.content.decode()
    assert "petugas_batam" not in body and "pusat_uji" not in body


def test_an_office_administrator_cannot_make_themselves_superuser(
    signed_in, administrator, others
):
    url = change_url(administrator)
    page = signed_in.get(url)
    assert page.status_code == 200
    perm = Permission.objects.get(codename="delete_user")
    response = signed_in.post(url, form_data(page, is_superuser="on",
                                             user_permissions=[str(perm.pk)]))
    assert response.status_code == 302  # saved, with the forbidden fields ignored
    administrator = fresh(administrator)
    assert not administrator.is_superuser
    assert not administrator.user_permissions.exists()
    assert not administrator.has_perm("auth.delete_user")
    assert "is_superuser" not in page.context["adminform"].form.fields


def test_an_office_administrator_cannot_touch_a_superuser(signed_in, office, others):
    root = others["root"]
    StaffProfile.objects.create(user=root, office=office)  # even one placed at this office
    before = fresh(root).password
    assert signed_in.get(change_url(root)).status_code == 404
    assert signed_in.get(password_url(root)).status_code in (403, 404)
    response = signed_in.post(password_url(root), {
        "password1": "diambil-alih-123", "password2": "diambil-alih-123",
        "usable_password": "true"})
    assert response.status_code in (403, 404)
    response = signed_in.post(change_url(root), {"username": "pusat_uji", "is_active": ""})
    assert response.status_code in (403, 404)
    root = fresh(root)
    assert (root.password, root.is_active, root.is_superuser) == (before, True, True)


def test_an_office_administrator_cannot_change_a_user_of_another_office(signed_in, others):
    batam = others["batam"]
    before = fresh(batam).password
    for url in (change_url(batam), password_url(batam),
                reverse("admin:auth_user_history", args=[batam.pk])):
        assert signed_in.get(url).status_code in (403, 404), url
    assert signed_in.post(change_url(batam), {"username": "petugas_batam"}).status_code in (
        403, 404)
    assert signed_in.post(password_url(batam), {
        "password1": "diambil-alih-123", "password2": "diambil-alih-123",
        "usable_password": "true"}).status_code in (403, 404)
    delete = signed_in.post(reverse("admin:auth_user_delete", args=[batam.pk]), {"post": "yes"})
    assert delete.status_code in (403, 404)
    batam = fresh(batam)
    assert batam.is_active
    assert batam.password == before
    assert batam.staff_profile.office.code == "2171"


def test_an_office_administrator_cannot_change_their_own_office_or_scope(
    signed_in, administrator, other_office, others
):
    url = change_url(administrator)
    page = signed_in.get(url)
    prefix = "staff_profile-0-"
    attempts = [
        {f"{prefix}office": "", f"{prefix}region_code": ""},
        {f"{prefix}office": str(other_office.pk)},
        {f"{prefix}office": "", f"{prefix}region_code": "21"},
        {f"{prefix}office": "", f"{prefix}national": "on"},
    ]
    for attempt in attempts:
        signed_in.post(url, form_data(page, **attempt))
        profile = StaffProfile.objects.get(user=administrator)
        assert (profile.office.code, profile.region_code) == ("2172", ""), attempt
        assert not profile.national
    administrator = fresh(administrator)
    assert not access.is_national(administrator)
    assert list(access.offices_in_scope(administrator)) == [administrator.staff_profile.office]


def test_an_office_administrator_cannot_hand_out_a_group_outside_the_office_roles(
    signed_in, others
):
    colleague = others["colleague"]
    national = Group.objects.create(name="Ditjen")
    national.permissions.add(Permission.objects.get(codename="delete_user"))
    page = signed_in.get(change_url(colleague))
    assert set(page.context["adminform"].form.fields["groups"].queryset.values_list(
        "name", flat=True)) == set(access.ROLES)
    response = signed_in.post(change_url(colleague), form_data(
        page, groups=[str(national.pk)]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["groups"]
    assert list(fresh(colleague).groups.values_list("name", flat=True)) == [access.OPERATOR]


def test_an_office_administrator_cannot_change_a_colleague_who_holds_more_than_the_office_roles(
    signed_in, others
):
    colleague = others["colleague"]
    colleague.user_permissions.add(Permission.objects.get(codename="delete_user"))
    assert signed_in.get(change_url(colleague)).status_code == 404
    listed = signed_in.get(reverse("admin:auth_user_changelist")).context["cl"].result_list
    assert colleague not in listed


def test_an_office_administrator_manages_the_users_of_their_own_office(signed_in, others):
    colleague = others["colleague"]
    page = signed_in.get(change_url(colleague))
    supervisor = Group.objects.get(name=access.SUPERVISOR)
    response = signed_in.post(change_url(colleague), form_data(
        page, first_name="Rina", groups=[str(supervisor.pk)], is_staff="on"))
    assert response.status_code == 302
    colleague = fresh(colleague)
    assert colleague.first_name == "Rina" and colleague.is_staff
    assert list(colleague.groups.values_list("name", flat=True)) == [access.SUPERVISOR]
    response = signed_in.post(password_url(colleague), {
        "password1": "sandi-baru-loket-9", "password2": "sandi-baru-loket-9",
        "usable_password": "true"})
    assert response.status_code == 302
    assert fresh(colleague).check_password("sandi-baru-loket-9")
    assert fresh(colleague).staff_profile.office.code == "2172"


def test_a_user_added_by_an_office_administrator_belongs_to_their_office(
    signed_in, administrator, other_office
):
    url = reverse("admin:auth_user_add")
    page = signed_in.get(url)
    assert page.status_code == 200
    response = signed_in.post(url, {
        "username": "loket_baru", "usable_password": "true",
        "password1": "sandi-loket-baru-7", "password2": "sandi-loket-baru-7",
        # A forged profile: another office, a region, national scope.
        "staff_profile-TOTAL_FORMS": "1", "staff_profile-INITIAL_FORMS": "0",
        "staff_profile-MIN_NUM_FORMS": "0", "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-office": str(other_office.pk), "staff_profile-0-region_code": "21",
        "staff_profile-0-national": "on", "is_superuser": "on",
    })
    assert response.status_code == 302
    created = User.objects.select_related("staff_profile").get(username="loket_baru")
    profile = created.staff_profile
    assert (profile.office, profile.region_code, profile.national) == (
        administrator.staff_profile.office, "", False)
    assert not created.is_superuser
    assert signed_in.get(change_url(created)).status_code == 200
    assert not page.context["inline_admin_formsets"]  # no office to pick


def test_an_office_administrator_cannot_edit_groups(signed_in, others):
    group = Group.objects.get(name=access.ADMINISTRATOR)
    before = set(group.permissions.values_list("pk", flat=True))
    url = reverse("admin:auth_group_change", args=[group.pk])
    assert signed_in.get(url).status_code == 200  # reading the roles is fine
    everything = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    response = signed_in.post(url, {"name": group.name, "permissions": everything})
    assert response.status_code == 403
    assert signed_in.get(reverse("admin:auth_group_add")).status_code == 403
    assert signed_in.post(reverse("admin:auth_group_delete", args=[group.pk]),
                          {"post": "yes"}).status_code == 403
    assert set(group.permissions.values_list("pk", flat=True)) == before


def test_an_office_administrator_cannot_delete_users(signed_in, others):
    colleague = others["colleague"]
    response = signed_in.post(reverse("admin:auth_user_delete", args=[colleague.pk]),
                              {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=colleague.pk).exists()


def test_only_a_superuser_sets_national_scope(client, root, operator):
    client.force_login(root)
    page = client.get(change_url(operator))
    prefix = "staff_profile-0-"
    response = client.post(change_url(operator), form_data(
        page, **{f"{prefix}national": "on"}))
    assert response.status_code == 200  # national with an office is incoherent
    assert "nasional" in response.content.decode()
    assert not fresh(operator).staff_profile.national
    response = client.post(change_url(operator), form_data(
        page, **{f"{prefix}national": "on", f"{prefix}office": ""}))
    assert response.status_code == 302
    assert access.is_national(fresh(operator))


def test_the_superuser_still_edits_every_user(client, root, other_operator):
    client.force_login(root)
    page = client.get(change_url(other_operator))
    assert "is_superuser" in page.context["adminform"].form.fields
    response = client.post(change_url(other_operator), form_data(page, last_name="Batam"))
    assert response.status_code == 302
    assert fresh(other_operator).last_name == "Batam"


@pytest.mark.parametrize("scope", [{"office__region": "21"}, {"office__national": True}])
def test_an_administrator_without_an_office_manages_no_users(client, office, operator, scope):
    """Users of a region or of the country are managed by a superuser only."""
    wide = make_user(access.ADMINISTRATOR, None, is_staff=True, **scope)
    client.force_login(wide)
    changelist = client.get(reverse("admin:auth_user_changelist"))
    assert changelist.status_code == 200
    assert not list(changelist.context["cl"].result_list)
    assert client.get(reverse("admin:auth_user_add")).status_code == 403
    assert client.get(change_url(operator)).status_code == 404
