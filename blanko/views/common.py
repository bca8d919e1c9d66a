"""What every staff view of the ledger needs: the office in scope, a service's errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from blanko import access
from blanko.models import Office


def scoped_office(request: HttpRequest, code: str, perm: str) -> Office:
    """The office named in the URL, if the user holds `perm` there; 404 otherwise.

    A 404 rather than a 403 so that another office's existence is not revealed.
    """
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return get_object_or_404(access.offices_in_scope(request.user), code=code)


def apply_form_errors(form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form, per field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
