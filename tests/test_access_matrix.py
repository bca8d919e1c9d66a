"""Every URL × every role × own and other office, plus anonymous.

The URL list comes from the resolver, so a new URL fails `test_every_url_is_classified`
until it is given a policy below. Public pages are an explicit allow-list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from blanko import access, services
from blanko.models import Movement, RebalancingProposal
from layanan import services as layanan_services
from layanan.models import ServiceRequest
from tests.factories import OfficeFactory, make_user

OPERATOR, SUPERVISOR = access.OPERATOR, access.SUPERVISOR
ADMINISTRATOR, VIEWER = access.ADMINISTRATOR, access.VIEWER
PROVINCE, NATIONAL = access.PROVINCE, access.NATIONAL
STAFF_ROLES = (OPERATOR, SUPERVISOR, ADMINISTRATOR, VIEWER)
# The network roles hold no office: the province coordinator of 21 (the own office's
# province; the other office is in 31), and Ditjen's national allocator, who reaches
# every office.
NETWORK_ROLES = (PROVINCE, NATIONAL)
EVERY_ROLE = (*STAFF_ROLES, *NETWORK_ROLES)
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Policy:
    """Who may use a URL. `roles` get in at their own office (their own province, for a
    province coordinator); nobody at another, except the national allocator, who
    reaches every office."""

    roles: frozenset[str] = frozenset()
    public: bool = False
    method: str = "get"
    scoped: bool = True  # the URL names an office: other offices get a 404
    login_only: bool = False  # any signed-in user
    ok: tuple[int, ...] = (200,)
    data: dict = field(default_factory=dict)


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


PUBLIC = Policy(public=True, scoped=False)
POLICIES: dict[str, Policy] = {
    # Public allow-list.
    "home": Policy(public=True, scoped=False, ok=(200, 302)),
    "health": PUBLIC,
    "login": PUBLIC,
    "layanan:online_submit": PUBLIC,
    "layanan:online_done": Policy(public=True, scoped=False, ok=(200, 302)),
    "layanan:status_check": PUBLIC,
    "layanan:public_stock": PUBLIC,
    "set_language": Policy(public=True, scoped=False, method="post", ok=(302,),
                           data={"language": "en", "next": "/"}),
    "logout": Policy(public=True, scoped=False, method="post", ok=(302,)),
    # Staff pages.
    "blanko:office_list": Policy(login_only=True, scoped=False),
    "blanko:stock": Policy(roles=roles(*STAFF_ROLES, PROVINCE, NATIONAL)),
    "blanko:movement_reverse": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:stock_count": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:destruction_create": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:loan_list": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:loan_lend": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:loan_partner": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:loan_repay": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:loan_due_date": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:shipment_receive": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:shipment_cancel": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    # The supply cycle: the office's requests for blanks...
    "blanko:blank_request_list": Policy(
        roles=roles(SUPERVISOR, ADMINISTRATOR, VIEWER, PROVINCE, NATIONAL)),
    "blanko:blank_request_create": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:blank_request_detail": Policy(
        roles=roles(SUPERVISOR, ADMINISTRATOR, VIEWER, PROVINCE, NATIONAL)),
    "blanko:blank_request_letter": Policy(
        roles=roles(SUPERVISOR, ADMINISTRATOR, VIEWER, PROVINCE, NATIONAL)),
    # The Supervisor cancels (302); the Administrator then finds it cancelled (200).
    "blanko:blank_request_cancel": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR),
                                          method="post", ok=(200, 302)),
    # ... the province's (the URL names the province: 21 own, 31 other) ...
    "blanko:province_requests": Policy(roles=roles(VIEWER, PROVINCE, NATIONAL)),
    "blanko:province_forward": Policy(roles=roles(PROVINCE)),
    # ... and Ditjen's central store.
    "blanko:central_home": Policy(roles=roles(NATIONAL), scoped=False),
    "blanko:central_receive": Policy(roles=roles(NATIONAL), scoped=False),
    "blanko:central_allocate": Policy(roles=roles(NATIONAL), scoped=False),
    "blanko:central_dispatch": Policy(roles=roles(NATIONAL), scoped=False),
    "blanko:central_cancel": Policy(roles=roles(NATIONAL), scoped=False),
    # Network planning: Ditjen's allocation plan, the province's rebalancing plan, and
    # the lender office's answer to a rebalancing proposal.
    "layanan:allocation_plan": Policy(roles=roles(NATIONAL), scoped=False),
    "layanan:rebalancing_plan": Policy(roles=roles(PROVINCE)),
    # The GET is the lender's confirmation (its stock after the loan, the warnings).
    "blanko:rebalancing_accept": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "blanko:rebalancing_decline": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "layanan:list": Policy(roles=roles(OPERATOR, SUPERVISOR, ADMINISTRATOR)),
    "layanan:queue": Policy(roles=roles(OPERATOR, SUPERVISOR, ADMINISTRATOR)),
    "layanan:register": Policy(roles=roles(OPERATOR, SUPERVISOR)),
    "layanan:detail": Policy(roles=roles(OPERATOR, SUPERVISOR)),
    "layanan:action": Policy(roles=roles(OPERATOR, SUPERVISOR), method="post", ok=(302,)),
    "layanan:access_log": Policy(roles=roles(SUPERVISOR)),
    "layanan:subject_export": Policy(roles=roles(SUPERVISOR), method="post", ok=(200, 302)),
    # Supervisor views.
    "layanan:dashboard": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR, VIEWER, PROVINCE,
                                            NATIONAL)),
    "layanan:rollup": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR, VIEWER, PROVINCE,
                                         NATIONAL), scoped=False),
    "layanan:report_index": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "layanan:report": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "layanan:report_xlsx": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "layanan:report_csv": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
    "layanan:close_month": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR), method="post",
                                  ok=(302,)),
    "layanan:destruction_report": Policy(roles=roles(SUPERVISOR, ADMINISTRATOR)),
}


def walk(patterns, namespace: str = "", prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(entry.url_patterns, full_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


ROUTES = dict(walk(get_resolver().url_patterns))
APP_ROUTES = sorted(name for name in ROUTES if not name.startswith("admin:"))
ADMIN_ROUTES = sorted(name for name in ROUTES if name.startswith("admin:"))


def test_every_url_is_classified():
    unclassified = [name for name in APP_ROUTES if name not in POLICIES]
    assert not unclassified, f"give these URLs an access policy in this test: {unclassified}"
    assert not set(POLICIES) - set(ROUTES), "policies for URLs that no longer exist"


@pytest.fixture
def world(db):
    own = OfficeFactory(code="2172", name="Kota Tanjungpinang")
    other = OfficeFactory(code="3171", name="Kota Jakarta Selatan")  # outside province 21
    users = {role: make_user(role, own, username=f"u_{role.lower()}",
                             is_staff=role == ADMINISTRATOR) for role in STAFF_ROLES}
    users[VIEWER] = make_user(VIEWER, None, username="u_viewer_prov", office__region="21")
    users[PROVINCE] = make_user(PROVINCE, None, username="u_province", office__region="21")
    users[NATIONAL] = make_user(NATIONAL, None, username="u_national", office__national=True)
    objects = {}
    for office in (own, other):
        boss = make_user(SUPERVISOR, office, username=f"boss{office.code}")
        movement = services.receive_allocation(office=office, quantity=10,
                                               reference=f"BAST-{office.code}", by=boss)
        request = layanan_services.submit_request(
            office=office, nik="2172014501030001", full_name="Warga Uji",
            kind=ServiceRequest.Kind.DAMAGED, channel=ServiceRequest.Channel.COUNTER,
            by=make_user(OPERATOR, office, username=f"op{office.code}"), married=True,
        ) if office is own else layanan_services.submit_request(
            office=office, nik="3171014501030001", full_name="Warga Lain",
            kind=ServiceRequest.Kind.DAMAGED, channel=ServiceRequest.Channel.COUNTER,
            by=make_user(OPERATOR, office, username=f"op{office.code}"), married=True,
        )
        services.spoil_blank(office=office, by=boss, cause=Movement.Cause.PRINT_FAILED)
        destruction = services.destroy_spoiled(office=office, quantity=1,
                                               number=f"BA-{office.code}", by=boss)
        # Borrowed from outside SiBlanko: the office both repays it and set its due date.
        loan = services.borrow_from_partner(office=office, partner_code="2101", quantity=2,
                                            reference=f"PJ-{office.code}", by=boss)
        blank_request = services.request_blanks(office=office, quantity=10, by=boss)
        objects[office.code] = {"movement": movement, "request": request,
                                "destruction": destruction, "loan": loan, "boss": boss,
                                "blank_request": blank_request}
    # Each office lends one blank to the other, so that each has a shipment to receive.
    for sender, receiver in ((own, other), (other, own)):
        lent = services.lend_to_office(lender=sender, borrower=receiver, quantity=1,
                                       reference=f"PK-{sender.code}",
                                       by=objects[sender.code]["boss"])
        objects[receiver.code]["shipment"] = lent.shipments.get()
    # Ditjen's dispatch to the own office, for the central store's cancel page.
    national = users[NATIONAL]
    services.receive_into_central_store(quantity=10, reference="KONTRAK-1", by=national)
    services.forward_blank_request(blank_request=objects[own.code]["blank_request"],
                                   by=users[PROVINCE])
    services.allocate_blanks(blank_request=objects[own.code]["blank_request"], quantity=5,
                             by=national)
    dispatch = services.dispatch_blanks(blank_request=objects[own.code]["blank_request"],
                                        quantity=5, reference="BAST-PUSAT-1", by=national)
    for code in (own.code, other.code):
        objects[code]["dispatch"] = dispatch
    # A rebalancing proposal each office lends in, to a neighbour of its province.
    for office, neighbour_code in ((own, "2104"), (other, "3174")):
        neighbour = OfficeFactory(code=neighbour_code, name=f"Kantor {neighbour_code}")
        objects[office.code]["rebalancing"] = RebalancingProposal.objects.create(
            number=f"RB/{office.province_code}/2026/0001", lender=office, borrower=neighbour,
            quantity=100, proposed_by=objects[office.code]["boss"])
    return {"own": own, "other": other, "users": users, "objects": objects}


def url_for(name: str, office, objects) -> str:
    pattern = ROUTES[name]
    kwargs = {}
    if "<str:code>" in pattern:
        kwargs["code"] = office.code
    if "<str:province>" in pattern:
        kwargs["province"] = office.province_code
    if "<int:pk>" in pattern:
        kind = ("dispatch" if name == "blanko:central_cancel"
                else "rebalancing" if name.startswith("blanko:rebalancing")
                else "movement" if name.startswith("blanko:movement")
                else "destruction" if "destruction" in name
                else "shipment" if name.startswith("blanko:shipment")
                else "loan" if name.startswith("blanko:loan")
                else "blank_request" if name.startswith(("blanko:blank_request",
                                                         "blanko:province", "blanko:central"))
                else "request")
        kwargs["pk"] = objects[kind].pk
    if "<slug:action>" in pattern:
        kwargs["action"] = "verify"
    if "<int:year>" in pattern:
        kwargs["year"], kwargs["month"] = 2026, 10
    return reverse(name, kwargs=kwargs)


def fetch(client: Client, policy: Policy, url: str):
    if policy.method == "post":
        data = policy.data or {"nik": "2172014501030001", "reason": "uji"}
        return client.post(url, data)
    return client.get(url)


def expected(policy: Policy, role: str, same_office: bool) -> str:
    if policy.public:
        return "ok"
    if role == ANONYMOUS:
        return "login"
    if policy.login_only:
        return "ok"
    if role not in policy.roles:
        return "forbidden"
    if policy.scoped and not same_office and role != NATIONAL:
        return "not_found"
    return "ok"


def outcome(response, policy: Policy) -> str:
    if policy.public and response.status_code in policy.ok:
        return "ok"
    if response.status_code == 302 and "/masuk/" in response["Location"]:
        return "login"
    if response.status_code in policy.ok:
        return "ok"
    return {403: "forbidden", 404: "not_found"}.get(response.status_code,
                                                     str(response.status_code))


@pytest.mark.parametrize("name", APP_ROUTES)
def test_access_policy(name, world):
    policy = POLICIES[name]
    failures = []
    for role in (ANONYMOUS, *EVERY_ROLE):
        client = Client()
        if role != ANONYMOUS:
            client.force_login(world["users"][role])
        for which in ("own", "other"):
            office = world[which]
            url = url_for(name, office, world["objects"][office.code])
            response = fetch(client, policy, url)
            want = expected(policy, role, same_office=which == "own")
            got = outcome(response, policy)
            if got != want:
                failures.append(f"{role:<13} {which:<5} {policy.method.upper()} {url}: "
                                f"expected {want}, got {got} ({response.status_code})")
            if not policy.scoped:
                break
    assert not failures, "\n".join(failures)


def test_another_offices_data_never_appears(world):
    """A 404 for another office's URL, and its request never shows in our lists."""
    client = Client()
    client.force_login(world["users"][SUPERVISOR])
    other_request = world["objects"]["3171"]["request"]
    own = world["own"]
    for url in (reverse("layanan:list", kwargs={"code": own.code}) + "?q=Warga",
                reverse("layanan:queue", kwargs={"code": own.code})):
        body = client.get(url).content.decode()
        assert other_request.registration_number not in body
    response = client.get(reverse("layanan:detail",
                                  kwargs={"code": own.code, "pk": other_request.pk}))
    assert response.status_code == 404


ADMIN_LIST_SUFFIXES = ("_changelist", "_add")


def admin_url(name: str) -> str | None:
    pattern = ROUTES[name]
    if "<" not in pattern:
        return reverse(name)
    if pattern.endswith("<app_label>/") or "(?P<app_label>" in pattern:
        return reverse(name, kwargs={"app_label": "blanko"})
    return None


# The admin's own sign-in and sign-out pages are public by design.
ADMIN_PUBLIC = ("admin:login", "admin:logout")


def test_admin_public_pages_answer_without_login(db):
    client = Client()
    assert client.get(reverse("admin:login")).status_code == 200
    assert client.post(reverse("admin:logout")).status_code in (200, 302)


@pytest.mark.parametrize(
    "name", [n for n in ADMIN_ROUTES if admin_url(n) and n not in ADMIN_PUBLIC]
)
def test_admin_needs_staff(name, world):
    url = admin_url(name)
    for role in (ANONYMOUS, OPERATOR, SUPERVISOR, VIEWER):
        client = Client()
        if role != ANONYMOUS:
            client.force_login(world["users"][role])
        response = client.get(url)
        assert response.status_code == 302, (role, url, response.status_code)
        assert "/admin/login/" in response["Location"], (role, url)


def test_admin_scopes_objects_to_the_administrators_office(world):
    client = Client()
    client.force_login(world["users"][ADMINISTRATOR])
    own_movement = world["objects"]["2172"]["movement"]
    other_movement = world["objects"]["3171"]["movement"]
    changelist = client.get(reverse("admin:blanko_movement_changelist"))
    assert changelist.status_code == 200
    assert own_movement.reference.encode() in changelist.content
    assert other_movement.reference.encode() not in changelist.content
    own = client.get(reverse("admin:blanko_movement_change", args=[own_movement.pk]))
    other = client.get(reverse("admin:blanko_movement_change", args=[other_movement.pk]))
    assert own.status_code == 200
    assert other.status_code == 302  # "doesn't exist" redirect, nothing revealed
    assert Movement.objects.filter(reason=Movement.Reason.RECEIPT_DITJEN).count() == 2


def test_admin_movements_cannot_be_changed_even_by_a_superuser(world):
    superuser = make_user(ADMINISTRATOR, world["own"], username="root", is_staff=True,
                          is_superuser=True)
    client = Client()
    client.force_login(superuser)
    movement = world["objects"]["2172"]["movement"]
    before = Movement.objects.count()
    response = client.post(reverse("admin:blanko_movement_change", args=[movement.pk]),
                           {"quantity": 999})
    assert response.status_code in (302, 403)
    assert client.get(reverse("admin:blanko_movement_add")).status_code == 403
    response = client.post(reverse("admin:blanko_movement_delete", args=[movement.pk]),
                           {"post": "yes"})
    assert response.status_code == 403
    movement.refresh_from_db()
    assert movement.quantity == 10
    assert Movement.objects.count() == before
    assert datetime.date.today() >= movement.occurred_on  # noqa: DTZ011 - a sanity anchor


# --- The user admin (auth): every role against users of its office, of others, a superuser.

AUTH_ROLES = (ANONYMOUS, OPERATOR, "staff_operator", SUPERVISOR, VIEWER, ADMINISTRATOR,
              "superuser")


@pytest.fixture
def people(world):
    """The matrix's users, a staff operator, a superuser, and a target in three offices."""
    batam = OfficeFactory(code="2171", name="Kota Batam")  # same province as 2172
    users = dict(world["users"])
    users["staff_operator"] = make_user(OPERATOR, world["own"], username="u_staff_op",
                                        is_staff=True)
    users["superuser"] = make_user(ADMINISTRATOR, None, username="u_root", is_staff=True,
                                   is_superuser=True)
    targets = {
        "own": make_user(OPERATOR, world["own"], username="t_2172"),
        "2171": make_user(OPERATOR, batam, username="t_2171"),
        "3171": make_user(OPERATOR, world["other"], username="t_3171"),
        "superuser": users["superuser"],
    }
    return {"users": users, "targets": targets}


def auth_urls(targets) -> dict[str, str]:
    """(what, whose) -> URL for every page of the user and group admin."""
    from django.contrib.auth.models import Group

    urls = {("user_changelist", "-"): reverse("admin:auth_user_changelist"),
            ("user_add", "-"): reverse("admin:auth_user_add"),
            ("group_changelist", "-"): reverse("admin:auth_group_changelist"),
            ("group_add", "-"): reverse("admin:auth_group_add")}
    for whose, user in targets.items():
        for page in ("change", "password_change", "delete", "history"):
            urls[(f"user_{page}", whose)] = reverse(f"admin:auth_user_{page}", args=[user.pk])
    group = Group.objects.get(name=ADMINISTRATOR)
    for page in ("change", "delete", "history"):
        urls[(f"group_{page}", "-")] = reverse(f"admin:auth_group_{page}", args=[group.pk])
    return urls


def auth_expected(role: str, what: str, whose: str) -> str:
    if role == ANONYMOUS or role in (OPERATOR, SUPERVISOR, VIEWER):
        return "login"  # not staff: the admin sends them to its sign-in page
    if role == "superuser":
        return "ok"
    if role == "staff_operator":
        return "forbidden"  # staff, but no right on users or groups
    # A non-superuser Administrator of 2172.
    if what.startswith("group_"):
        return "forbidden" if what in ("group_add", "group_delete") else "ok"  # read-only
    if whose not in ("-", "own"):
        return "not_found"  # another office's user or a superuser: not there
    return "forbidden" if what == "user_delete" else "ok"  # deactivate, never delete


def auth_outcome(response) -> str:
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return "login"
    return {200: "ok", 403: "forbidden", 404: "not_found"}.get(
        response.status_code, str(response.status_code))


def test_the_user_and_group_admin_for_every_role(people):
    urls = auth_urls(people["targets"])
    failures = []
    for role in AUTH_ROLES:
        client = Client()
        if role != ANONYMOUS:
            client.force_login(people["users"][role])
        for (what, whose), url in urls.items():
            want, got = auth_expected(role, what, whose), auth_outcome(client.get(url))
            if got != want:
                failures.append(f"{role:<14} {what:<22} {whose:<9} {url}: "
                                f"expected {want}, got {got}")
    assert not failures, "\n".join(failures)


def test_the_user_list_shows_only_the_administrators_office(people):
    client = Client()
    client.force_login(people["users"][ADMINISTRATOR])
    listed = {user.username for user in client.get(
        reverse("admin:auth_user_changelist")).context["cl"].result_list}
    assert "t_2172" in listed and "u_administrator" in listed
    assert not listed & {"t_2171", "t_3171", "u_root", "u_viewer_prov", "boss3171"}
    client.force_login(people["users"]["superuser"])
    every = client.get(reverse("admin:auth_user_changelist") + "?all=")
    assert {"t_2171", "t_3171", "u_root"} <= {
        user.username for user in every.context["cl"].result_list}
