"""One rule of what staff may do to a request (layanan.rules.allowed_actions): the detail
page shows exactly those actions, and every other one posted anyway is refused by its
service and writes nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from layanan import rules, selectors, services
from layanan.models import ServiceRequest
from tests.layanan.helpers import born_years_ago, make_nik, snapshot, submit, verified

Action = rules.Action
Kind = ServiceRequest.Kind

pytestmark = pytest.mark.django_db


def make_state(state: str, office, operator, give_stock) -> ServiceRequest:
    """A request in `state` (a status, with or without stock, biometrics or age)."""
    if state in ("verified", "printed", "delivered", "young"):
        give_stock(office, 3)
    if state == "submitted":
        return submit(office, operator)
    if state == "young":
        return verified(office, operator, kind=Kind.NEW,
                        nik=make_nik(born_years_ago(17, days=-20)))
    if state == "reserved":
        give_stock(office, 1)
        verified(office, operator, kind=Kind.NEW, nik=make_nik(born_years_ago(20)))
        return verified(office, operator)
    if state in ("no_stock", "no_stock_no_biometrics"):
        return verified(office, operator, biometrics=state == "no_stock")
    request = verified(office, operator)
    if state in ("printed", "delivered"):
        services.print_card(request=request, by=operator)
    if state == "delivered":
        services.deliver_request(request=request, by=operator)
    if state == "rejected":
        services.reject_request(request=request, by=operator, reason="KK tidak sesuai")
    return ServiceRequest.objects.get(pk=request.pk)


STATES = {
    "submitted": [Action.VERIFY, Action.REJECT, Action.CANCEL],
    "verified": [Action.PRINT, Action.SPOIL, Action.REJECT, Action.CANCEL],
    "reserved": [Action.SPOIL, Action.SUKET, Action.REJECT, Action.CANCEL],
    "no_stock": [Action.SUKET, Action.REJECT, Action.CANCEL],
    "no_stock_no_biometrics": [Action.REJECT, Action.CANCEL],
    "young": [Action.REJECT, Action.CANCEL],
    "printed": [Action.DELIVER, Action.DEFECT],
    "delivered": [],
    "rejected": [],
}

POSTED = {  # valid form data for each action, so that only the rule can refuse it
    Action.VERIFY: {"documents": ["kk", "damaged_card"], "biometrics_recorded": "on"},
    Action.PRINT: {"key": "k-print"},
    Action.SPOIL: {"key": "k-spoil", "cause": "encode_failed"},
    Action.DEFECT: {"key": "k-defect", "cause": "damaged"},
    Action.REJECT: {"reason": "KK tidak sesuai"},
    Action.CANCEL: {"reason": "Pemohon membatalkan"},
}


@pytest.mark.parametrize("state", list(STATES))
def test_the_rule_allows_what_each_state_allows(state, office, operator, give_stock):
    request = make_state(state, office, operator, give_stock)
    blocker = selectors.request_blocker(request=request)  # None unless verified
    assert rules.allowed_actions(request, blocker) == STATES[state]


@pytest.mark.parametrize("state", list(STATES))
def test_the_detail_page_shows_the_allowed_actions_in_order(state, client, office, operator,
                                                            give_stock):
    request = make_state(state, office, operator, give_stock)
    client.force_login(operator)
    body = client.get(reverse("layanan:detail", kwargs={"code": office.code,
                                                        "pk": request.pk})).content.decode()
    shown = re.findall(rf'action="/kantor/{office.code}/layanan/{request.pk}/(\w+)/"', body)
    # "cancel" has no button on the page.
    assert shown == [action for action in STATES[state] if action != Action.CANCEL]
    assert ('data-testid="detail-stock"' in body) == bool(STATES[state])


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", list(STATES))
def test_an_action_the_rule_does_not_allow_is_refused_by_its_service(
        state, action, client, office, operator, give_stock):
    request = make_state(state, office, operator, give_stock)
    client.force_login(operator)
    before = snapshot()
    response = client.post(
        reverse("layanan:action", kwargs={"code": office.code, "pk": request.pk,
                                          "action": action}), POSTED.get(action, {}))
    assert response.status_code == 302
    levels = [message.level_tag for message in get_messages(response.wsgi_request)]
    if action in STATES[state]:
        assert levels == ["success"]
    else:
        assert levels and set(levels) == {"error"}
        assert snapshot() == before
