from __future__ import annotations

from blanko import access


def staff(request):
    """The signed-in user's office, for the navigation bar (loaded with the user:
    config.auth)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"staff_office": access.user_office(user)}
