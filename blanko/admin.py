"""Admin for the ledger.

Movements and balances are read-only for everyone, superusers included. The
'add' pages of deliveries, loans, stock counts, destructions, month closes and
offices are plain forms carried out by the services, so the admin never
writes a movement itself.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from blanko import access, admin_forms
from blanko.models import (
    Balance,
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
    fields = ["code", "name", "address", "head_name", "head_nip"]

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
    search_fields = ["code", "name"]


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

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Loan)
class LoanAdmin(ServiceAddAdmin):
    add_form = admin_forms.PartnerLoanForm
    list_display = ["reference", "opened_on", "lender", "borrower", "quantity",
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


@admin.register(Destruction)
class DestructionAdmin(ServiceAddAdmin):
    add_form = admin_forms.DestructionForm
    list_display = ["number", "office", "destroyed_on", "quantity", "witnesses"]


@admin.register(MonthClose)
class MonthCloseAdmin(ServiceAddAdmin):
    add_form = admin_forms.MonthCloseForm
    list_display = ["office", "month", "closed_by", "closed_at"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "Kantor dan cakupan"


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "last_name", "is_active", "office"]
    list_select_related = ["staff_profile__office"]

    @admin.display(description="Kantor")
    def office(self, obj):
        profile = getattr(obj, "staff_profile", None)
        return profile.office if profile else "-"


admin.site.site_header = "SiBlanko"
admin.site.site_title = "SiBlanko"
admin.site.index_title = "Administrasi"
