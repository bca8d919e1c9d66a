"""The blank-card ledger.

Double entry: every blank moves from one Location to another in a Movement, so
none appears or disappears unrecorded. Balance rows hold the current count of
each physical or transit location and are updated in the same transaction as
the movement; they are also the row locks that serialise concurrent draws.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MAX_QUANTITY = 10_000_000
# Days from asking Ditjen for blanks to their arrival, until the supply cycle measures it.
DEFAULT_LEAD_TIME_DAYS = 30
MAX_LEAD_TIME_DAYS = 365
# Ditjen Dukcapil's central warehouse: an office record (created by migration 0011) with
# its own store, fed by procurement, from which blanks are dispatched to the offices.
CENTRAL_OFFICE_CODE = "00"


class KabKotaManager(models.Manager):
    """`Office.objects`: the kab/kota offices, without Ditjen's central store.

    Every list of offices (the public stock page, the online form's choice, the
    rollups, a loan's partner, the tooling) means the kab/kota; the central store is
    reached by name (`blanko.services.central_office()`) or through `Office.all_objects`,
    which is also the default manager (the admin, backups, unique checks see it).
    """

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().exclude(code=CENTRAL_OFFICE_CODE)


class Office(models.Model):
    """A Disdukcapil kab/kota office that uses SiBlanko, or Ditjen's central store ("00")."""

    code = models.CharField(_("kode wilayah"), max_length=4, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    head_name = models.CharField(_("nama kepala dinas"), max_length=200, blank=True)
    head_nip = models.CharField(_("NIP kepala dinas"), max_length=30, blank=True)
    lead_time_days = models.PositiveSmallIntegerField(
        _("waktu tunggu pengiriman (hari)"), default=DEFAULT_LEAD_TIME_DAYS,
        help_text=_("Berapa hari sejak permintaan ke Ditjen sampai blanko tiba. "
                    "Dipakai dasbor untuk tanggal paling lambat meminta."),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    all_objects = models.Manager()
    objects = KabKotaManager()

    class Meta:
        ordering = ["code"]
        default_manager_name = "all_objects"
        verbose_name = _("kantor")
        verbose_name_plural = _("kantor")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^([0-9]{4}|00)$"),
                name="office_code_kab_kota_or_central",
            ),
            models.CheckConstraint(
                condition=Q(lead_time_days__gte=1, lead_time_days__lte=MAX_LEAD_TIME_DAYS),
                name="office_lead_time_in_range",
                violation_error_message=_("Waktu tunggu harus antara 1 dan 365 hari."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def is_central(self) -> bool:
        """Ditjen's central store, not a kab/kota office."""
        return self.code == CENTRAL_OFFICE_CODE


class StaffProfile(models.Model):
    """Ties a user to a scope: one office, one region (a viewer), or, explicitly, national.

    A profile with none of the three sees nothing. Only a superuser sets a region or
    national scope (see blanko.admin).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="staff",
        verbose_name=_("kantor"),
    )
    region_code = models.CharField(
        _("cakupan wilayah"), max_length=4, blank=True,
        help_text=_("Untuk peninjau: kode provinsi (2 digit). Kosongkan bila ada kantor."),
        validators=[RegexValidator(
            r"^[0-9]{2}$", _("Kode wilayah harus kode provinsi 2 digit, misalnya 21."))],
    )
    national = models.BooleanField(
        _("nasional"), default=False,
        help_text=_("Melihat semua kantor (Ditjen Dukcapil). Tanpa kantor dan tanpa wilayah."),
    )

    class Meta:
        verbose_name = _("profil petugas")
        verbose_name_plural = _("profil petugas")
        constraints = [
            models.CheckConstraint(
                condition=Q(national=False) | Q(office__isnull=True, region_code=""),
                name="staffprofile_national_has_no_office_or_region",
                violation_error_message=_(
                    "Cakupan nasional tidak boleh disertai kantor atau wilayah."),
            ),
            models.CheckConstraint(
                condition=Q(office__isnull=True) | Q(region_code=""),
                name="staffprofile_office_or_region_not_both",
                violation_error_message=_("Pilih kantor atau wilayah, tidak keduanya."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.office or self.region_code or (_("nasional") if self.national else "-")
        return f"{self.user} @ {scope}"


class Location(models.Model):
    class Kind(models.TextChoices):
        STOCK = "stock", _("Gudang stok")
        SPOILED = "spoiled", _("Blanko rusak (menunggu pemusnahan)")
        SOURCE = "source", _("Sumber (Ditjen/Provinsi)")
        PARTNER = "partner", _("Kab/kota mitra")
        TRANSIT = "transit", _("Dalam perjalanan")
        ISSUED = "issued", _("Diterbitkan ke penduduk")
        DESTROYED = "destroyed", _("Dimusnahkan")
        ADJUSTMENT = "adjustment", _("Selisih stock opname")

    # Locations whose count is held in a Balance row and may never go negative.
    BALANCED_KINDS = frozenset({Kind.STOCK, Kind.SPOILED, Kind.TRANSIT})
    OFFICE_KINDS = (
        Kind.STOCK, Kind.SPOILED, Kind.TRANSIT, Kind.ISSUED, Kind.DESTROYED, Kind.ADJUSTMENT,
    )

    code = models.CharField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="locations"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("lokasi")
        verbose_name_plural = _("lokasi")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind"], condition=Q(office__isnull=False),
                name="location_one_kind_per_office",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=["source", "partner"], office__isnull=True)
                    | (~Q(kind__in=["source", "partner"]) & Q(office__isnull=False))
                ),
                name="location_office_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_balance(self) -> bool:
        return self.kind in self.BALANCED_KINDS


# The kinds by a module-level name, as MovementCause: other apps name them (a report's
# line, a selector's key) without importing Location itself.
LocationKind = Location.Kind


class Balance(models.Model):
    location = models.OneToOneField(
        Location, on_delete=models.PROTECT, primary_key=True, related_name="balance"
    )
    quantity = models.BigIntegerField(_("jumlah"), default=0)
    updated_at = models.DateTimeField(_("diperbarui"), auto_now=True)

    class Meta:
        verbose_name = _("saldo")
        verbose_name_plural = _("saldo")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.location}: {self.quantity}"


class AppendOnlyError(Exception):
    pass


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Mutasi tidak boleh diubah; catat pembalikan.")

    def delete(self):
        raise AppendOnlyError("Mutasi tidak boleh dihapus; catat pembalikan.")

    def for_office(self, office: Office) -> MovementQuerySet:
        return self.filter(Q(from_location__office=office) | Q(to_location__office=office))


# The reasons that carry a cause: a blank ruined while printing, a card found defective.
SPOIL_REASONS = ("spoil", "spoil_issued")


class MovementCause(models.TextChoices):
    """Why a blank or a card was ruined. At module level so that other apps name it
    (a form's choices, a report's labels) without importing Movement itself."""

    PRINT_FAILED = "print_failed", _("Gagal cetak")
    ENCODE_FAILED = "encode_failed", _("Gagal encode")
    DAMAGED = "damaged", _("Rusak")
    INVALID = "invalid", _("Invalid")


class Movement(models.Model):
    """One append-only posting: quantity blanks from one location to another."""

    class Reason(models.TextChoices):
        RECEIPT_DITJEN = "receipt_ditjen", _("Penerimaan dari Ditjen Dukcapil")
        RECEIPT_PROVINCE = "receipt_province", _("Penerimaan dari provinsi")
        PROCUREMENT = "procurement", _("Pengadaan ke gudang pusat")
        DISPATCH = "dispatch", _("Dikirim ke kab/kota")
        LOAN_IN = "loan_in", _("Pinjaman diterima")
        LOAN_OUT = "loan_out", _("Pinjaman diberikan")
        REPAYMENT_IN = "repayment_in", _("Pengembalian pinjaman diterima")
        REPAYMENT_OUT = "repayment_out", _("Pengembalian pinjaman dikirim")
        TRANSIT_CANCEL = "transit_cancel", _("Pengiriman dibatalkan")
        ISSUE = "issue", _("Dicetak untuk penduduk")
        SPOIL = "spoil", _("Rusak")
        SPOIL_ISSUED = "spoil_issued", _("Kartu rusak setelah dicetak")
        DESTROY = "destroy", _("Dimusnahkan")
        ADJUSTMENT = "adjustment", _("Penyesuaian stock opname")
        REVERSAL = "reversal", _("Pembalikan")

    # The old spelling, kept so that `Movement.Cause.DAMAGED` still reads as before.
    Cause = MovementCause

    from_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="outgoing", verbose_name=_("dari")
    )
    to_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="incoming", verbose_name=_("ke")
    )
    quantity = models.PositiveIntegerField(_("jumlah"))
    reason = models.CharField(_("alasan"), max_length=30, choices=Reason.choices)
    cause = models.CharField(_("penyebab"), max_length=20, choices=MovementCause.choices,
                             blank=True)
    occurred_on = models.DateField(_("tanggal transaksi"))
    recorded_at = models.DateTimeField(_("dicatat pada"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("dicatat oleh"),
    )
    reference = models.CharField(_("nomor referensi"), max_length=100, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by",
        verbose_name=_("membalik"),
    )
    loan = models.ForeignKey(
        "Loan", on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    # A dispatch from the central store, its receipt or its cancellation.
    # Indexed by a partial index (Meta), built concurrently: the table is large.
    blank_request = models.ForeignKey(
        "BlankRequest", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
        related_name="movements", verbose_name=_("permohonan blanko"),
    )
    from_balance_after = models.BigIntegerField(null=True, blank=True, editable=False)
    to_balance_after = models.BigIntegerField(null=True, blank=True, editable=False)

    objects = MovementQuerySet.as_manager()

    # Not a column: True on the movement post_movement returns when an idempotency
    # key was already used, so that callers write nothing else beside it.
    replayed = False

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("mutasi")
        verbose_name_plural = _("mutasi")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, quantity__lte=MAX_QUANTITY),
                name="movement_quantity_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(from_location=F("to_location")), name="movement_two_locations"
            ),
            models.CheckConstraint(
                condition=(
                    (Q(reason__in=SPOIL_REASONS) & ~Q(cause=""))
                    | (~Q(reason__in=SPOIL_REASONS) & Q(cause=""))
                    | Q(reason="reversal")
                ),
                name="movement_cause_only_for_spoil",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(reason="reversal") & Q(reverses__isnull=False))
                    | (~Q(reason="reversal") & Q(reverses__isnull=True))
                ),
                name="movement_reversal_links_original",
            ),
        ]
        indexes = [
            # Reason and quantity ride along so that a store's daily flows (dashboard,
            # monthly report) are read from the index alone.
            models.Index(fields=["from_location", "occurred_on", "reason", "quantity"],
                         name="movement_from_day"),
            models.Index(fields=["to_location", "occurred_on", "reason", "quantity"],
                         name="movement_to_day"),
            # Every store's use over a window (the rollup), from the index alone.
            models.Index(fields=["reason", "occurred_on", "from_location", "quantity"],
                         name="movement_reason_day"),
            # The movements of the supply cycle, by request (a lead time, a receipt).
            models.Index(fields=["blank_request", "occurred_on"],
                         condition=Q(blank_request__isnull=False),
                         name="movement_blank_request"),
        ]
        permissions = [
            ("issue_blank", _("Dapat mencetak (menerbitkan) blanko")),
            ("spoil_blank", _("Dapat mencatat blanko rusak")),
            ("receive_blank", _("Dapat mencatat penerimaan blanko")),
            ("manage_loan", _("Dapat mencatat pinjaman blanko")),
            ("count_stock", _("Dapat mencatat stock opname")),
            ("destroy_blank", _("Dapat mencatat pemusnahan")),
            ("reverse_movement", _("Dapat membalik mutasi")),
            ("close_month", _("Dapat menutup bulan")),
            ("view_ledger", _("Dapat melihat buku besar")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_reason_display()} {self.quantity}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Mutasi tidak boleh diubah; catat pembalikan.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Mutasi tidak boleh dihapus; catat pembalikan.")

    def delta_for(self, location_id: int) -> int:
        """The signed effect of this movement on one location."""
        if location_id == self.to_location_id:
            return self.quantity
        if location_id == self.from_location_id:
            return -self.quantity
        return 0


# The reasons by a module-level name, as MovementCause (see LocationKind).
MovementReason = Movement.Reason


class MovementHold(models.Model):
    """A movement that a record outside the ledger stands on, so it is never reversed.

    The draw of a printed card is held: reversing it would put the blank back on the
    shelf while the card exists. The caller of the posting says so explicitly
    (`issue_blank(hold=True)`), in the same transaction; the ledger does not need to
    know who holds it. A card found defective is recorded instead (`spoil_issued_card`,
    ISSUED to SPOILED). A separate table, because movements are append-only.
    """

    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, primary_key=True,
                                    related_name="hold", verbose_name=_("mutasi"))

    class Meta:
        verbose_name = _("mutasi terikat")
        verbose_name_plural = _("mutasi terikat")

    def __str__(self) -> str:
        return f"#{self.movement_id}"


class Delivery(models.Model):
    """A delivery of blanks with its handover document (BAST)."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="deliveries",
                               verbose_name=_("kantor"))
    source = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("sumber"))
    bast_number = models.CharField(_("nomor BAST"), max_length=100)
    received_on = models.DateField(_("tanggal terima"))
    quantity = models.PositiveIntegerField(_("jumlah"))
    serial_start = models.CharField(_("nomor seri awal"), max_length=40, blank=True)
    serial_end = models.CharField(_("nomor seri akhir"), max_length=40, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="delivery")

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("penerimaan blanko")
        verbose_name_plural = _("penerimaan blanko")
        constraints = [
            # One BAST number per source, whatever its letter case ("bast/1" is "BAST/1").
            models.UniqueConstraint("source", Lower("bast_number"), name="delivery_unique_bast"),
        ]

    def __str__(self) -> str:
        return f"BAST {self.bast_number}"


class Loan(models.Model):
    """A loan of blanks between two kab/kota.

    Each side is either an Office (it uses SiBlanko, and the blanks travel
    through TRANSIT) or a PARTNER location (it does not, and only our side is
    recorded).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Berjalan")
        SETTLED = "settled", _("Lunas")
        CANCELLED = "cancelled", _("Dibatalkan")

    lender_office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="loans_given")
    lender_partner = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    borrower_office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="loans_taken")
    borrower_partner = models.ForeignKey(Location, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    quantity = models.PositiveIntegerField(_("jumlah dipinjam"))
    delivered_quantity = models.PositiveIntegerField(_("jumlah diterima peminjam"), default=0)
    repaid_quantity = models.PositiveIntegerField(_("jumlah dikembalikan"), default=0)
    reference = models.CharField(_("nomor surat"), max_length=100)
    opened_on = models.DateField(_("tanggal"))
    due_on = models.DateField(_("jatuh tempo"), null=True, blank=True,
                              help_text=_("Tanggal pinjaman harus sudah dikembalikan."))
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("pinjaman")
        verbose_name_plural = _("pinjaman")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(lender_office__isnull=False, lender_partner__isnull=True)
                    | Q(lender_office__isnull=True, lender_partner__isnull=False)
                ),
                name="loan_one_lender",
            ),
            models.CheckConstraint(
                condition=(
                    Q(borrower_office__isnull=False, borrower_partner__isnull=True)
                    | Q(borrower_office__isnull=True, borrower_partner__isnull=False)
                ),
                name="loan_one_borrower",
            ),
            models.CheckConstraint(
                condition=Q(lender_office__isnull=False) | Q(borrower_office__isnull=False),
                name="loan_one_side_uses_system",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, quantity__lte=MAX_QUANTITY)
                & Q(delivered_quantity__lte=F("quantity"))
                & Q(repaid_quantity__lte=F("delivered_quantity")),
                name="loan_quantities_consistent",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("opened_on")),
                name="loan_due_after_opened",
                violation_error_message=_("Jatuh tempo tidak boleh sebelum tanggal pinjaman."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.lender_name} → {self.borrower_name} ({self.quantity})"

    @property
    def lender_name(self) -> str:
        return str(self.lender_office or self.lender_partner)

    @property
    def borrower_name(self) -> str:
        return str(self.borrower_office or self.borrower_partner)

    @property
    def outstanding(self) -> int:
        return self.delivered_quantity - self.repaid_quantity


class Shipment(models.Model):
    """Blanks sent between two offices that both use SiBlanko: a loan or its repayment,
    or a dispatch from Ditjen's central store answering a request for blanks.

    They sit in the sender's TRANSIT location until the receiver confirms
    receipt (possibly in parts) or the sender cancels what is left (for a loan,
    either side).
    """

    class Kind(models.TextChoices):
        LOAN = "loan", _("Pinjaman")
        REPAYMENT = "repayment", _("Pengembalian")
        DISPATCH = "dispatch", _("Kiriman Ditjen")

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", _("Dalam perjalanan")
        RECEIVED = "received", _("Diterima")
        CANCELLED = "cancelled", _("Dibatalkan")

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="shipments")
    blank_request = models.ForeignKey(
        "BlankRequest", on_delete=models.PROTECT, null=True, blank=True,
        related_name="shipments", verbose_name=_("permohonan blanko"),
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    sender = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    receiver = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("jumlah dikirim"))
    received_quantity = models.PositiveIntegerField(_("jumlah diterima"), default=0)
    cancelled_quantity = models.PositiveIntegerField(_("jumlah dibatalkan"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.IN_TRANSIT)
    sent_on = models.DateField(_("tanggal kirim"))
    reference = models.CharField(
        _("nomor surat"), max_length=100, blank=True,
        help_text=_("Surat pengantar kiriman ini: surat pinjaman, surat pengembalian, atau "
                    "BAST kiriman Ditjen."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = _("pengiriman")
        verbose_name_plural = _("pengiriman")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(received_quantity__lte=F("quantity") - F("cancelled_quantity")),
                name="shipment_quantities_consistent",
            ),
            models.CheckConstraint(condition=~Q(sender=F("receiver")),
                                   name="shipment_two_offices"),
            # A loan's shipment belongs to its loan, a dispatch to its request: one of two.
            models.CheckConstraint(
                condition=(
                    Q(kind="dispatch", loan__isnull=True, blank_request__isnull=False)
                    | (~Q(kind="dispatch") & Q(loan__isnull=False, blank_request__isnull=True))
                ),
                name="shipment_loan_or_blank_request",
            ),
            # One dispatch per BAST number, whatever its letter case.
            models.UniqueConstraint(Lower("reference"), condition=Q(kind="dispatch"),
                                    name="shipment_unique_dispatch_bast"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sender.code}→{self.receiver.code} {self.quantity}"

    @property
    def remaining(self) -> int:
        return self.quantity - self.received_quantity - self.cancelled_quantity

    @property
    def letter(self) -> str:
        """The letter that goes with the blanks (shipments before 0009 had none: the
        loan's letter, which is what they carried). A dispatch's is its BAST number."""
        if self.reference or self.loan_id is None:
            return self.reference
        return self.loan.reference


class StockCount(models.Model):
    """A physical count (stock opname) of an office's store."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="stock_counts")
    counted_on = models.DateField(_("tanggal opname"))
    counted_quantity = models.PositiveIntegerField(_("jumlah fisik"))
    system_quantity = models.PositiveIntegerField(_("jumlah menurut sistem"))
    reason = models.CharField(_("alasan selisih"), max_length=500, blank=True)
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="stock_count")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-counted_on", "-id"]
        verbose_name = _("stock opname")
        verbose_name_plural = _("stock opname")

    def __str__(self) -> str:
        return f"{self.office.code} {self.counted_on}: {self.counted_quantity}"

    @property
    def difference(self) -> int:
        return self.counted_quantity - self.system_quantity


class Destruction(models.Model):
    """A batch of spoiled blanks destroyed under one berita acara pemusnahan."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="destructions")
    number = models.CharField(_("nomor berita acara"), max_length=100)
    destroyed_on = models.DateField(_("tanggal pemusnahan"))
    quantity = models.PositiveIntegerField(_("jumlah"))
    witnesses = models.CharField(_("saksi"), max_length=500, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="destruction")

    class Meta:
        ordering = ["-destroyed_on", "-id"]
        verbose_name = _("pemusnahan")
        verbose_name_plural = _("pemusnahan")
        constraints = [
            models.UniqueConstraint("office", Lower("number"), name="destruction_unique_number"),
        ]

    def __str__(self) -> str:
        return f"BA {self.number}"


class MonthClose(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="month_closes")
    month = models.DateField(_("bulan"), help_text=_("Tanggal 1 bulan yang ditutup."))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("tutup buku bulanan")
        verbose_name_plural = _("tutup buku bulanan")
        constraints = [
            models.UniqueConstraint(fields=["office", "month"], name="month_close_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.office.code} {self.month:%Y-%m}"


# --- The supply cycle: requests for blanks, allocation by Ditjen, dispatch -------------------


class BlankRequest(models.Model):
    """A request for blanks (permohonan blanko): an office asks, its province forwards,
    Ditjen allocates from the central store and dispatches, the office confirms receipt.

    The quantities only grow along the way (a cancelled dispatch gives its blanks back):
    received <= dispatched <= allocated <= asked, checked by the database.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Diajukan")
        FORWARDED = "forwarded", _("Diteruskan provinsi")
        ALLOCATED = "allocated", _("Dialokasikan")
        PARTLY_RECEIVED = "partly_received", _("Diterima sebagian")
        RECEIVED = "received", _("Diterima")
        REFUSED = "refused", _("Ditolak")
        CANCELLED = "cancelled", _("Dibatalkan")

    # Still waiting for something: a forward, an allocation, a dispatch or a receipt.
    OPEN_STATUSES = (Status.SUBMITTED, Status.FORWARDED, Status.ALLOCATED,
                     Status.PARTLY_RECEIVED)
    # Allocated blanks that may still be waiting in the central store.
    ALLOCATED_STATUSES = (Status.ALLOCATED, Status.PARTLY_RECEIVED)

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="blank_requests",
                               verbose_name=_("kantor"))
    number = models.CharField(_("nomor permohonan"), max_length=40, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.SUBMITTED)
    quantity = models.PositiveIntegerField(_("jumlah diminta"))
    forwarded_quantity = models.PositiveIntegerField(
        _("jumlah diteruskan provinsi"), null=True, blank=True)
    allocated_quantity = models.PositiveIntegerField(
        _("jumlah dialokasikan"), null=True, blank=True,
        help_text=_("0 berarti permohonan ditolak."))
    dispatched_quantity = models.PositiveIntegerField(_("jumlah dikirim"), default=0)
    received_quantity = models.PositiveIntegerField(_("jumlah diterima"), default=0)
    needed_by = models.DateField(_("dibutuhkan sebelum"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    # The dashboard's figures on the day of the request, as the letter shows them:
    # as_of, stock, average, days_of_cover, stockout_on, key_date, key_date_name,
    # shortfall, to_request (strings and numbers).
    figures = models.JSONField(_("angka dasbor"), default=dict, blank=True)
    submitted_on = models.DateField(_("tanggal permohonan"))
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True,
                                       editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("diajukan oleh"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("permohonan blanko")
        verbose_name_plural = _("permohonan blanko")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0, quantity__lte=MAX_QUANTITY)
                & (Q(forwarded_quantity__isnull=True)
                   | Q(forwarded_quantity__gt=0, forwarded_quantity__lte=MAX_QUANTITY))
                & (Q(allocated_quantity__isnull=True)
                   | Q(allocated_quantity__lte=Coalesce(F("forwarded_quantity"),
                                                        F("quantity"))))
                & Q(dispatched_quantity__lte=Coalesce(F("allocated_quantity"), 0))
                & Q(received_quantity__lte=F("dispatched_quantity")),
                name="blank_request_quantities_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "submitted_on"], name="blank_request_office_day"),
            models.Index(fields=["status", "submitted_on"], name="blank_request_status_day"),
        ]
        permissions = [
            ("request_blanks", _("Dapat mengajukan permohonan blanko")),
            ("forward_blank_request", _("Dapat meneruskan permohonan blanko")),
            ("allocate_blanks",
             _("Dapat mengalokasikan dan mengirim blanko dari gudang pusat")),
            ("view_blank_request", _("Dapat melihat permohonan blanko")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def asked(self) -> int:
        """What Ditjen is asked for: the province's figure once it forwarded it."""
        return self.quantity if self.forwarded_quantity is None else self.forwarded_quantity

    @property
    def undispatched(self) -> int:
        """Allocated and still waiting in the central store."""
        return max((self.allocated_quantity or 0) - self.dispatched_quantity, 0)

    @property
    def in_transit(self) -> int:
        """Dispatched and not yet received (nor cancelled)."""
        return self.dispatched_quantity - self.received_quantity

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def age_days(self, today) -> int:
        """Days since it was submitted, on `today`."""
        return (today - self.submitted_on).days


class BlankRequestEvent(models.Model):
    """One step of a request for blanks: who, when, from which status to which, and
    how many (the figure of that step: asked, forwarded, allocated, dispatched...)."""

    blank_request = models.ForeignKey(BlankRequest, on_delete=models.PROTECT,
                                      related_name="events")
    from_status = models.CharField(_("dari status"), max_length=20, blank=True,
                                   choices=BlankRequest.Status.choices)
    to_status = models.CharField(_("ke status"), max_length=20,
                                 choices=BlankRequest.Status.choices)
    quantity = models.PositiveIntegerField(_("jumlah"), null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                           related_name="+", verbose_name=_("oleh"))
    # A default rather than auto_now_add, so that the demo's story can be dated.
    at = models.DateTimeField(_("waktu"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("riwayat permohonan blanko")
        verbose_name_plural = _("riwayat permohonan blanko")

    def __str__(self) -> str:
        return f"{self.blank_request_id}: {self.from_status or '-'} → {self.to_status}"


# --- Province rebalancing: loans proposed by the province coordinator ------------------------


class RebalancingProposal(models.Model):
    """A loan between two offices of one province, proposed by its coordinator so that
    the province "runs out together" (layanan.supervision.rebalancing computes the plan).

    The lender's supervisor accepts it, which opens the loan (`blanko.services.
    lend_to_office`, the proposal's number as the letter), or declines it with a reason;
    the coordinator may withdraw it while it waits.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Diusulkan")
        ACCEPTED = "accepted", _("Disetujui")
        # "Ditolak" is also a refused service request's and blank request's status;
        # a lender declines a proposal ("Declined", not "Rejected").
        DECLINED = "declined", pgettext_lazy("rebalancing proposal", "Ditolak")
        CANCELLED = "cancelled", _("Dibatalkan")

    # Every proposal is a multiple of this many blanks (the plan rounds down to it).
    UNIT = 100

    number = models.CharField(_("nomor usulan"), max_length=40, unique=True)
    lender = models.ForeignKey(Office, on_delete=models.PROTECT,
                               related_name="rebalancing_given",
                               verbose_name=_("kantor pemberi pinjaman"))
    borrower = models.ForeignKey(Office, on_delete=models.PROTECT,
                                 related_name="rebalancing_taken",
                                 verbose_name=_("kantor peminjam"))
    quantity = models.PositiveIntegerField(_("jumlah"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.PROPOSED)
    note = models.CharField(_("catatan"), max_length=500, blank=True)
    decline_reason = models.CharField(_("alasan penolakan"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("diusulkan oleh"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("diputuskan oleh"))
    created_at = models.DateTimeField(_("diusulkan"), default=timezone.now)
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="rebalancing_proposal",
                                verbose_name=_("pinjaman"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("usulan pemerataan")
        verbose_name_plural = _("usulan pemerataan")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=100, quantity__lte=MAX_QUANTITY)
                & models.lookups.Exact(models.functions.Mod("quantity", 100), 0),
                name="rebalancing_quantity_whole_hundreds",
            ),
            models.CheckConstraint(condition=~Q(lender=F("borrower")),
                                   name="rebalancing_two_offices"),
            # Each status carries exactly what its step wrote.
            models.CheckConstraint(
                condition=(
                    Q(status="proposed", decided_by__isnull=True, decided_at__isnull=True,
                      loan__isnull=True, decline_reason="")
                    | Q(status="accepted", decided_by__isnull=False, decided_at__isnull=False,
                        loan__isnull=False, decline_reason="")
                    | (Q(status="declined", decided_by__isnull=False, decided_at__isnull=False,
                         loan__isnull=True) & ~Q(decline_reason=""))
                    | Q(status="cancelled", decided_by__isnull=False, decided_at__isnull=False,
                        loan__isnull=True)
                ),
                name="rebalancing_status_consistent",
            ),
            # One waiting proposal per lender and borrower: a second click, or a second
            # coordinator, does not send the same loan twice.
            models.UniqueConstraint(fields=["lender", "borrower"],
                                    condition=Q(status="proposed"),
                                    name="rebalancing_one_open_per_pair"),
        ]
        indexes = [
            models.Index(fields=["lender", "status"], name="rebalancing_lender_status"),
            models.Index(fields=["borrower", "status"], name="rebalancing_borrower_status"),
        ]
        permissions = [
            ("propose_rebalancing", _("Dapat mengusulkan pinjaman pemerataan antarkantor")),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.lender.code}→{self.borrower.code} ({self.quantity})"
