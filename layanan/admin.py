"""Admin for the key dates the dashboard forecasts towards.

Service requests are not in the admin on purpose: their pages show the whole
NIK, and the staff pages record every such look in the access log (UU PDP).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blanko import access
from layanan.models import KeyDate


@admin.register(KeyDate)
class KeyDateAdmin(admin.ModelAdmin):
    """National users manage every key date; an office's administrator manages that
    office's own, and sees (without changing) the ones that apply to all offices."""

    list_display = ("name", "date", "applies_to")
    list_filter = ("office",)
    search_fields = ("name",)
    date_hierarchy = "date"

    @admin.display(description=_("berlaku untuk"), ordering="office__code")
    def applies_to(self, obj: KeyDate) -> str:
        return str(obj.office) if obj.office else _("Semua kantor")

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("office")
        if access.is_national(request.user):
            return queryset
        return queryset.filter(
            Q(office__isnull=True) | Q(office__in=access.offices_in_scope(request.user))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "office" and not access.is_national(request.user):
            kwargs["queryset"] = access.offices_in_scope(request.user)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_edit(self, request, obj: KeyDate | None) -> bool:
        return obj is None or obj.office_id is not None or access.is_national(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)
