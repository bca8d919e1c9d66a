"""An office's own locations, read once per Office instance."""

from __future__ import annotations

from blanko.models import Location, Office


def office_location(office: Office, kind: str) -> Location:
    """One of the office's own locations.

    All six are fetched in one query and kept on the Office instance: they are
    created with the office and never change, so a page or a service that asks for
    several pays one query.
    """
    locations = getattr(office, "_locations_by_kind", None)
    if locations is None:
        locations = {loc.kind: loc for loc in Location.objects.filter(office=office)}
        for loc in locations.values():
            loc.office = office
        office._locations_by_kind = locations
    return locations[kind]
