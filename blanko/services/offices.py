"""Offices and the locations of the ledger: each office's own, the sources, the partners."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blanko.models import Balance, Location, Office
from blanko.regions import region, region_name
from blanko.selectors.locations import office_location
from blanko.services.checks import refuse_if_taken

DITJEN_CODE = "SOURCE-DITJEN"

# office_location is a read and lives with the selectors; services name it from here too.
__all__ = ["create_office", "ditjen_source", "office_location", "partner_location",
           "province_source"]


@transaction.atomic
def create_office(*, code: str, name: str) -> Office:
    """Creates an office with its physical and virtual locations and balances."""
    code = (code or "").strip()
    if len(code) != 4 or not code.isascii() or not code.isdigit():
        raise ValidationError({"code": _("Kode kantor harus 4 digit kode kab/kota.")})
    refuse_if_taken(
        lambda: Office.objects.filter(code=code).exists(),
        ValidationError({"code": _("Kantor dengan kode %(code)s sudah ada.") % {"code": code}}),
    )
    office = Office.objects.create(code=code, name=(name or "").strip() or region_name(code))
    labels = dict(Location.Kind.choices)
    for kind in Location.OFFICE_KINDS:
        location = Location.objects.create(
            code=f"{code}-{kind.upper()}", name=f"{labels[kind]} {office.name}", kind=kind,
            office=office,
        )
        if location.has_balance:
            Balance.objects.create(location=location, quantity=0)
    return office


def ditjen_source() -> Location:
    location, _created = Location.objects.get_or_create(
        code=DITJEN_CODE,
        defaults={"name": "Ditjen Dukcapil Kemendagri", "kind": Location.Kind.SOURCE},
    )
    return location


def province_source(province_code: str) -> Location:
    found = region(province_code)
    if found is None or found.level != "province":
        raise ValidationError({"province_code": _("Kode provinsi %(code)s tidak dikenal.")
                               % {"code": province_code}})
    location, _created = Location.objects.get_or_create(
        code=f"SOURCE-PROV-{province_code}",
        defaults={"name": f"Provinsi {found.name}", "kind": Location.Kind.SOURCE},
    )
    return location


def partner_location(partner_code: str) -> Location:
    """The PARTNER location of a kab/kota that does not use SiBlanko."""
    partner_code = (partner_code or "").strip()
    found = region(partner_code)
    if found is None or found.level != "regency":
        raise ValidationError(
            {"partner_code": _("Kode kab/kota %(code)s tidak dikenal.")
             % {"code": partner_code or _("(kosong)")}}
        )
    if Office.objects.filter(code=partner_code).exists():
        raise ValidationError({
            "partner_code": _("%(name)s memakai SiBlanko; catat sebagai pengiriman "
                              "antarkantor.") % {"name": found.name}
        })
    location, _created = Location.objects.get_or_create(
        code=f"PARTNER-{partner_code}",
        defaults={"name": f"Disdukcapil {found.name}", "kind": Location.Kind.PARTNER},
    )
    return location
