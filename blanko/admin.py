"""Admin for the ledger.

Movements and balances are read-only for everyone, superusers included. The
'add' pages of deliveries, loans, stock counts, destructions, month closes and
offices are plain forms carried out by the services, so the admin never
writes a movement itself.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from blanko import access, admin_forms
from blanko.models import (
    Balance,
    BlankRequest,
    Delivery,
    Destruction,
    Loan,
    Location,
    MonthClose,
    Movement,
    Office,
    Shipment,
    StaffProfile,
    StockCount,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedAdminMixin:
    """Limits list and detail pages to the offices in the user's scope."""

    office_field = "office"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.is_national(request.user):
            return queryset
        return queryset.filter(
            **{f"{self.office_field}__in": access.offices_in_scope(request.user)}
        )


class ServiceAddAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    """An admin whose 'add' page is a form carried out by a service."""

    add_form: type = None

    def has_add_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        kwargs = {}
        if issubclass(self.add_form, admin_forms.OfficeScopedForm):
            kwargs["offices"] = access.offices_in_scope(request.user)
        form = self.add_form(request.POST or None, **kwargs)
        if request.method == "POST" and form.is_valid():
            try:
                created = form.perform(by=request.user)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                self.log_addition(request, created, [{"added": {}}])
                messages.success(request, f"{self.opts.verbose_name.capitalize()} “{created}” "
                                          "berhasil dicatat.")
                return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}"
                                        "_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Tambah {self.opts.verbose_name}",
            "form": form,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/service_add_form.html", context)


@admin.register(Office)
class OfficeAdmin(ServiceAddAdmin):
    office_field = "pk"
    add_form = admin_forms.OfficeForm
    list_display = ["code", "name", "head_name"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "address", "head_name", "head_nip", "lead_time_days"]

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return queryset & access.offices_in_scope(request.user)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("blanko.change_office")

    def get_readonly_fields(self, request, obj=None):
        return ["code"]


@admin.register(Movement)
class MovementAdmin(ReadOnlyAdmin):
    list_display = ["id", "occurred_on", "reason", "from_location", "to_location", "quantity",
                    "reference", "recorded_by", "recorded_at"]
    list_filter = ["reason", "occurred_on"]
    search_fields = ["reference", "note"]
    list_select_related = ["from_location", "to_location", "recorded_by"]
    date_hierarchy = "occurred_on"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if access.is_national(request.user):
            return queryset
        scope = access.offices_in_scope(request.user)
        return queryset.filter(from_location__office__in=scope) | queryset.filter(
            to_location__office__in=scope
        )


@admin.register(Balance)
class BalanceAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    office_field = "location__office"
    list_display = ["location", "quantity", "updated_at"]
    list_select_related = ["location"]


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "office"]
    list_filter = ["kind"]
    list_select_related = ["office"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        """The offices in scope, and the shared virtual locations (Ditjen, partners)."""
        queryset = super().get_queryset(request)
        if access.is_national(request.user):
            return queryset
        return queryset.filter(Q(office__in=access.offices_in_scope(request.user))
                               | Q(office__isnull=True))


@admin.register(Delivery)
class DeliveryAdmin(ServiceAddAdmin):
    add_form = admin_forms.DeliveryForm
    list_display = ["bast_number", "office", "source", "received_on", "quantity",
                    "serial_start", "serial_end"]
    list_filter = ["source", "office"]
    search_fields = ["bast_number"]
    list_select_related = ["office", "source"]


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0
    can_delete = False
    fields = ["kind", "sender", "receiver", "quantity", "received_quantity",
              "cancelled_quantity", "status", "sent_on"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender", "receiver")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(ServiceAddAdmin):
    add_form = admin_forms.PartnerLoanForm
    list_display = ["reference", "opened_on", "due_on", "lender", "borrower", "quantity",
                    "delivered_quantity", "repaid_quantity", "status"]
    list_filter = ["status"]
    inlines = [ShipmentInline]

    @admin.display(description="Pemberi pinjaman")
    def lender(self, obj):
        return obj.lender_name

    @admin.display(description="Peminjam")
    def borrower(self, obj):
        return obj.borrower_name

    def get_queryset(self, request):
        # Joined on every page, the change page too (its title and fields name both sides).
        queryset = admin.ModelAdmin.get_queryset(self, request).select_related(
            "lender_office", "lender_partner", "borrower_office", "borrower_partner"
        )
        if access.is_national(request.user):
            return queryset
        scope = access.offices_in_scope(request.user)
        return queryset.filter(lender_office__in=scope) | queryset.filter(
            borrower_office__in=scope
        )


@admin.register(StockCount)
class StockCountAdmin(ServiceAddAdmin):
    add_form = admin_forms.StockCountForm
    list_display = ["office", "counted_on", "counted_quantity", "system_quantity", "reason",
                    "recorded_by"]
    list_select_related = ["office", "recorded_by"]


@admin.register(Destruction)
class DestructionAdmin(ServiceAddAdmin):
    add_form = admin_forms.DestructionForm
    list_display = ["number", "office", "destroyed_on", "quantity", "witnesses"]
    list_select_related = ["office"]


@admin.register(MonthClose)
class MonthCloseAdmin(ServiceAddAdmin):
    add_form = admin_forms.MonthCloseForm
    list_display = ["office", "month", "closed_by", "closed_at"]
    list_select_related = ["office", "closed_by"]


@admin.register(BlankRequest)
class BlankRequestAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    """Requests for blanks, to look up: they move only through the supply pages."""

    list_display = ["number", "office", "submitted_on", "status", "quantity",
                    "forwarded_quantity", "allocated_quantity", "dispatched_quantity",
                    "received_quantity"]
    list_filter = ["status"]
    search_fields = ["number"]
    list_select_related = ["office"]
    exclude = ["figures"]


class StaffProfileInline(admin.StackedInline):
    """The user's scope. Only a superuser sets or changes it: an office's Administrator
    sees it read-only, and the users they add get their own office (StaffUserAdmin)."""

    model = StaffProfile
    can_delete = False
    fields = ["office", "region_code", "national"]
    verbose_name_plural = "Kantor dan cakupan"

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False


def _without(fieldsets, hidden: set[str]):
    return tuple(
        (name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
        for name, options in fieldsets
    )


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Users, scoped by blanko.access.users_managed_by.

    A superuser manages everyone. An office's Administrator who is not a superuser sees
    and changes only the users of their own office (never a superuser, never someone
    holding more than the office roles), grants only the office roles, cannot grant
    superuser status or permissions of its own, cannot change anyone's scope, and the
    users they add belong to their office. Anything else is a 404 (or 403), not a
    redirect.
    """

    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "is_active", "office"]
    list_select_related = ["staff_profile__office"]
    office_fieldsets = _without(UserAdmin.fieldsets, {"is_superuser", "user_permissions"})
    office_readonly_fields = ("last_login", "date_joined")

    @admin.display(description="Kantor")
    def office(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.office if profile else "-"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=access.users_managed_by(request.user).values("pk"))

    def _manages(self, request, obj) -> bool:
        return obj is None or request.user.is_superuser or (
            access.users_managed_by(request.user).filter(pk=obj.pk).exists())

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._manages(request, obj)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            request.user.is_superuser or access.managed_office(request.user) is not None)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.office_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return self.office_readonly_fields

    def get_inlines(self, request, obj):
        if obj is None and not request.user.is_superuser:
            return []  # the new user gets the Administrator's office, not a choice
        return super().get_inlines(request, obj)

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = access.groups_grantable_by(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.is_superuser = False  # never from this form, whatever was posted
        super().save_model(request, obj, form, change)
        if not change and not request.user.is_superuser:
            StaffProfile.objects.create(user=obj, office=access.managed_office(request.user))

    def _ensure_in_scope(self, request, object_id) -> None:
        """No right on users at all is a 403; a user outside the scope is not there (404)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._ensure_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)


@admin.register(Group)
class RoleGroupAdmin(GroupAdmin):
    """The roles are made by migrations; only a superuser changes what they may do."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


admin.site.site_header = "SiBlanko"
admin.site.site_title = "SiBlanko"
admin.site.index_title = "Administrasi"
