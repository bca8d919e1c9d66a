"""The rows of the office's two request tables, the print queue and the request list.

They are written here rather than by a template loop: the print queue is the page the
counter reloads all day, and a page of 25 rows through `{% include %}`, `{% url %}`,
`{% csrf_token %}` and the date filter was a third of its time (issue 10). Every value
is escaped (`html.escape`, what django.utils.html.escape calls); the text is the
templates' own, through gettext.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from blanko.formatting import TableFormat
from blanko.views.common import url_for_each
from layanan import rules
from layanan.models import ServiceRequest
from layanan.nik import mask_nik
from layanan.templatetags.layanan_tags import status_badge


def _labels(choices) -> dict:
    """Each choice's label, translated and escaped once per table: a model's
    get_FOO_display() rebuilds the whole list of choices (translating every label) on
    each call, which was the costliest part of a row."""
    return {value: escape(str(label)) for value, label in choices}


class _Cells:
    """What both tables show of a request: its number (a link to it), name, masked NIK
    and kind; and its submission time."""

    def __init__(self, office_code: str) -> None:
        self.detail = url_for_each("layanan:detail", code=office_code)
        self.kinds = _labels(ServiceRequest.Kind.choices)
        self.format = TableFormat()
        self.flag = (
            ' <span class="badge text-bg-warning" data-testid="flagged" title="{}">{}</span>'
            .format(escape(_("Diajukan daring saat permohonan lain untuk NIK dan jenis yang "
                             "sama masih terbuka")), escape(_("Ditandai: mungkin ganda"))))

    def request(self, req: ServiceRequest) -> str:
        return (f'<td class="text-nowrap"><a href="{self.detail(req.pk)}">'
                f"{escape(req.registration_number)}</a>"
                f'{self.flag if req.is_flagged else ""}</td>'
                f'<td>{escape(req.full_name)}</td>'
                f'<td class="nik text-nowrap">{escape(mask_nik(req.nik or ""))}</td>'
                f"<td>{self.kinds.get(req.kind, escape(req.kind))}</td>")

    def submitted(self, req: ServiceRequest) -> str:
        local = timezone.localtime(req.submitted_at)
        return f"<td>{escape(self.format.short_date(local))} {local:%H:%M}</td>"


def request_list_rows(requests: Iterable[ServiceRequest], *, office_code: str) -> SafeString:
    cells = _Cells(office_code)
    channels = _labels(ServiceRequest.Channel.choices)
    statuses = _labels(ServiceRequest.Status.choices)
    parts = [
        f"<tr>{cells.request(req)}<td>{channels.get(req.channel, escape(req.channel))}</td>"
        f'<td><span class="badge {status_badge(req.status)}">'
        f"{statuses.get(req.status, escape(req.status))}</span></td>{cells.submitted(req)}</tr>"
        for req in requests
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def queue_rows(rows: Iterable[tuple[ServiceRequest, rules.Blocker | None, str]], *,
               office_code: str, can_process: bool, csrf_token: str,
               page_number: int = 1) -> SafeString:
    """`rows`: (request, what blocks it or None, a fresh idempotency key). A print
    returns to the queue's page `page_number`, where the operator was."""
    cells = _Cells(office_code)
    tiers = _labels(ServiceRequest.Tier.choices)
    action = url_for_each("layanan:action", code=office_code, action="print")
    blocked = {rules.TOO_YOUNG: escape(_("Belum 17 tahun")),
               rules.NO_STOCK: escape(_("Stok habis"))}
    reserved = escape(_("Dicadangkan"))
    print_label, ready = escape(_("Cetak")), escape(_("Siap cetak"))
    token = escape(csrf_token)
    back_to_page = (f'<input type="hidden" name="page" value="{int(page_number)}">'
                    if page_number > 1 else "")
    parts = []
    for req, blocker, key in rows:
        if blocker:
            label = blocked.get(blocker.code, reserved)
            last = (f'<span class="badge text-bg-warning">{label}</span>'
                    f'<small class="d-block">{escape(blocker.message)}</small>')
        elif can_process:
            last = (f'<form method="post" action="{action(req.pk)}" class="d-inline print-once">'
                    f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
                    f'<input type="hidden" name="key" value="{escape(key)}">'
                    f'<input type="hidden" name="next" value="queue">{back_to_page}'
                    f'<button type="submit" class="btn btn-sm btn-primary">{print_label}'
                    f'<span class="visually-hidden"> {escape(req.registration_number)}</span>'
                    "</button></form>")
        else:
            last = f'<span class="badge text-bg-success">{ready}</span>'
        parts.append(f"<tr><td>{tiers.get(req.priority_tier, req.priority_tier)}</td>"
                     f"{cells.request(req)}{cells.submitted(req)}<td>{last}</td></tr>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
