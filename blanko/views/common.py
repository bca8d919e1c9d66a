"""What every staff view of the ledger needs: the office in scope, a service's errors,
and carrying out a form that posts once."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from blanko import access
from blanko.exceptions import IdempotencyConflict
from blanko.models import Office


def scoped_office(request: HttpRequest, code: str, perm: str) -> Office:
    """The office named in the URL, if the user holds `perm` there; 404 otherwise.

    A 404 rather than a 403 so that another office's existence is not revealed.
    """
    if not request.user.has_perm(perm):
        raise PermissionDenied
    own = access.user_office(request.user)
    if own is not None and own.code == code and not own.is_central:
        # Loaded with the user (config.auth): the office of an office-scoped profile is
        # its whole scope (access.offices_in_scope), so no query is needed to find it.
        return own
    return get_object_or_404(access.offices_in_scope(request.user), code=code)


# Reversed once per table with this id in the place of the row's.
_MARKER = 918273645546372819


def url_for_each(name: str, **kwargs) -> Callable[[int], str]:
    """The URL of `name` for any object id (its `pk` argument): `reverse` once per
    table, the id put in its place, instead of once per row."""
    head, tail = reverse(name, kwargs={**kwargs, "pk": _MARKER}).split(str(_MARKER))
    return lambda pk: f"{head}{int(pk)}{tail}"


def post_only(fallback: str, *arguments: str):
    """For a view that acts only on a POST (after login_required). A GET of its address
    is a form sent after its session had expired: signing in again follows `next`, the
    action's own address. It goes to the page the form was on, the URL `fallback` with
    the view's `arguments`, with a word that nothing was done, instead of a bare 405."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["POST"])
            messages.info(request, _("Tidak ada yang dilakukan: formulirnya belum terkirim, "
                                     "mungkin karena sesi Anda berakhir. Ulangi dari halaman "
                                     "ini."))
            return redirect(fallback, **{name: kwargs[name] for name in arguments})

        return wrapped

    return decorate


def apply_form_errors(form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form, per field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def carry_out(request: HttpRequest, form, perform: Callable[[dict], str | tuple[str, str]],
              *, success_url: str = "", review: str) -> HttpResponse | None:
    """On a valid POST, runs `perform`, which calls the service and returns the success
    message, or the message and where to go instead of `success_url`: then the message
    and a redirect (Post/Redirect/Get). On a refusal, the service's message on the form
    and None (the caller renders the form again); None too for a GET.

    `review` names the page where the user sees what was recorded, for a form whose
    one-time key already posted something else (the Back button, then a changed form).
    """
    if request.method != "POST":
        return None
    if not form.is_valid():
        if "key" in form.errors:
            # Sent without its hidden key (a tampered or truncated form): a fresh one, so
            # that sending it again works, and a word, since hidden fields show no error.
            form.add_error(None, _("Formulir ini tidak lengkap. Periksa isiannya, lalu "
                                   "kirim sekali lagi."))
            form.renew_key()
        return None
    try:
        done = perform(form.cleaned_data)
    except IdempotencyConflict:
        # Refused; a fresh key lets the user send it as a new transaction.
        form.add_error(None, _("Formulir ini sudah pernah dikirim dengan isian yang lain. "
                               "Periksa %(page)s; bila ini memang transaksi baru, kirim "
                               "sekali lagi.") % {"page": review})
        form.renew_key()
    except ValidationError as error:
        apply_form_errors(form, error)
    else:
        message, url = done if isinstance(done, tuple) else (done, success_url)
        messages.success(request, message)
        return redirect(url)
    return None
