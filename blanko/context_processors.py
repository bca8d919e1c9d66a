from __future__ import annotations

from blanko import access


def staff(request):
    """The signed-in user's office and roles, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "staff_office": access.user_office(user),
        "staff_roles": [group.name for group in user.groups.all()],
    }
