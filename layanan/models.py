"""Citizen service requests for an e-KTP card, and what happens to them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from blanko.indexes import PostgresGinIndex
from blanko.models import Office


class ServiceRequest(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("Baru (pemula)")
        DAMAGED = "damaged", _("Rusak")
        LOST = "lost", _("Hilang")
        DATA_CHANGE = "data_change", _("Perubahan elemen data")
        RELOCATION = "relocation", _("Pindah datang")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("Loket")
        ONLINE = "online", _("Daring")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Diajukan")
        VERIFIED = "verified", _("Terverifikasi")
        PRINTED = "printed", _("Dicetak")
        DELIVERED = "delivered", _("Diserahkan")
        REJECTED = "rejected", _("Ditolak")
        CANCELLED = "cancelled", _("Dibatalkan")

    class Sex(models.TextChoices):
        MALE = "M", _("Laki-laki")
        FEMALE = "F", _("Perempuan")

    class Tier(models.IntegerChoices):
        FIRST_TIME = 1, _("1 · Pemula")
        DISASTER = 2, _("2 · Korban bencana")
        SUKET = 3, _("3 · Pengganti suket")
        OTHER = 4, _("4 · Lainnya")

    OPEN_STATUSES = (Status.SUBMITTED, Status.VERIFIED, Status.PRINTED)

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="requests",
                               verbose_name=_("kantor"))
    registration_number = models.CharField(_("nomor registrasi"), max_length=30, unique=True)
    nik = models.CharField(_("NIK"), max_length=16)
    kk_number = models.CharField(_("nomor KK"), max_length=16, blank=True)
    full_name = models.CharField(_("nama lengkap"), max_length=200)
    birth_date = models.DateField(_("tanggal lahir"))
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    married = models.BooleanField(_("sudah/pernah kawin"), default=False)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    kind = models.CharField(_("jenis permohonan"), max_length=20, choices=Kind.choices)
    disaster_victim = models.BooleanField(_("korban bencana"), default=False)
    replaces_suket = models.BooleanField(_("pengganti suket"), default=False)
    police_report_number = models.CharField(_("nomor surat kehilangan dari kepolisian"),
                                            max_length=100, blank=True)
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.SUBMITTED)
    priority_tier = models.PositiveSmallIntegerField(_("prioritas"), choices=Tier.choices)
    printable_from = models.DateField(
        _("dapat dicetak mulai"), null=True, blank=True,
        help_text=_("Untuk pemula di bawah 17 tahun yang belum kawin: ulang tahun ke-17."),
    )
    documents = models.JSONField(_("kelengkapan dokumen"), default=dict, blank=True)
    biometrics_recorded = models.BooleanField(_("biometrik sudah direkam"), default=False)
    rejection_reason = models.CharField(_("alasan penolakan"), max_length=500, blank=True)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True,
                                      editable=False)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates",
        editable=False, verbose_name=_("ditandai: duplikat dari"),
        help_text=_("Diajukan daring saat permohonan ini, dengan NIK dan jenis yang sama, "
                    "masih terbuka. Petugas memeriksanya sebelum verifikasi."),
    )
    submitted_at = models.DateTimeField(_("diajukan pada"))
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    printed_at = models.DateTimeField(_("dicetak pada"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("diserahkan pada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("permohonan KTP-el")
        verbose_name_plural = _("permohonan KTP-el")
        constraints = [
            # One open request per NIK and kind, apart from the flagged duplicates that
            # the online form accepts (so that it never tells a stranger a NIK is in use).
            models.UniqueConstraint(
                fields=["nik", "kind"],
                condition=Q(status__in=["submitted", "verified", "printed"],
                            duplicate_of__isnull=True),
                name="request_one_open_per_nik_and_kind",
            ),
            # ...and whatever is flagged, one request per NIK and kind on its way to a card.
            models.UniqueConstraint(
                fields=["nik", "kind"], condition=Q(status__in=["verified", "printed"]),
                name="request_one_in_process_per_nik_and_kind",
            ),
            models.CheckConstraint(condition=Q(priority_tier__gte=1, priority_tier__lte=4),
                                   name="request_tier_1_to_4"),
            models.CheckConstraint(condition=Q(nik__regex=r"^[0-9]{16}$"),
                                   name="request_nik_16_digits"),
            models.CheckConstraint(
                condition=~Q(kind="lost") | ~Q(police_report_number=""),
                name="request_lost_needs_police_report",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status", "priority_tier", "submitted_at"],
                         name="request_queue"),
            models.Index(fields=["nik"], name="request_nik"),
            models.Index(fields=["office", "full_name"], name="request_name"),
            # The printable queue per office and tier (print queue, reservation, public
            # stock), and each office's newest first (request list and search).
            models.Index(fields=["office", "priority_tier", "printable_from"],
                         name="request_verified_office", condition=Q(status="verified")),
            models.Index(fields=["office", "-submitted_at", "-id"],
                         name="request_office_recent"),
            # The name search: each key is the office and one trigram of the name ("6:sir"),
            # from SQL functions of migration 0010 over pg_trgm. PostgreSQL only, and only
            # where pg_trgm could be enabled; layanan.selectors.search_requests checks.
            PostgresGinIndex(
                Func(F("office"), F("full_name"), function="request_name_keys",
                     output_field=ArrayField(models.TextField())),
                name="request_office_name_keys",
            ),
            # The dashboard's stage times: requests whose stage ended in a window, with
            # when it began, read from the index alone.
            *(models.Index(fields=["office", ended, began], name=f"request_{ended}",
                           condition=Q(**{f"{ended}__isnull": False}))
              for began, ended in (("submitted_at", "verified_at"),
                                   ("verified_at", "printed_at"),
                                   ("printed_at", "delivered_at"))),
            # Pemula registered before their 17th birthday, for the forecast's
            # "turning 17 by the key date", read from the index alone.
            models.Index(fields=["office", "printable_from", "status"],
                         name="request_pemula_waiting",
                         condition=Q(kind="new", status__in=["submitted", "verified"],
                                     printable_from__isnull=False)),
        ]
        permissions = [
            ("register_request", _("Dapat mendaftarkan permohonan di loket")),
            ("process_request", _("Dapat memverifikasi, mencetak, menyerahkan dan menolak")),
            ("view_personal_data", _("Dapat melihat NIK lengkap dan data pribadi")),
            ("view_access_log", _("Dapat melihat log akses data pribadi")),
            ("export_personal_data", _("Dapat mengekspor data subjek (UU PDP)")),
        ]

    def __str__(self) -> str:
        return self.registration_number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_flagged(self) -> bool:
        """A duplicate submitted online that staff have not yet resolved."""
        return self.duplicate_of_id is not None and self.status == self.Status.SUBMITTED


class RequestEvent(models.Model):
    """One transition of a request: who, when, from, to, and why."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(_("dari"), max_length=12, blank=True,
                                   choices=ServiceRequest.Status.choices)
    to_status = models.CharField(_("ke"), max_length=12, choices=ServiceRequest.Status.choices)
    at = models.DateTimeField(_("waktu"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                           blank=True, related_name="+", verbose_name=_("oleh"))
    note = models.CharField(_("catatan"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("riwayat permohonan")
        verbose_name_plural = _("riwayat permohonan")
        indexes = [models.Index(fields=["to_status", "at"], name="event_status_at")]

    def __str__(self) -> str:
        return f"{self.request}: {self.from_status or '-'} → {self.to_status}"


class CardPrint(models.Model):
    """One blank put through the printer for a request, and how it came out.

    A successful print whose card is later found defective becomes DEFECTIVE, with the
    movement that took its blank from ISSUED to SPOILED: the request may then print
    again, and the "one successful print per request" constraint still holds.
    """

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Berhasil")
        SPOILED = "spoiled", _("Rusak")
        DEFECTIVE = "defective", _("Rusak setelah dicetak")

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="prints")
    outcome = models.CharField(_("hasil"), max_length=10, choices=Outcome.choices)
    # Ledger models by name: outside blanko only its selectors and services touch them.
    movement = models.OneToOneField("blanko.Movement", on_delete=models.PROTECT,
                                    related_name="card_print")
    printed_at = models.DateTimeField(_("waktu cetak"))
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    defect_movement = models.OneToOneField(
        "blanko.Movement", on_delete=models.PROTECT, null=True, blank=True,
        related_name="card_defect", verbose_name=_("mutasi kartu rusak"),
    )
    defective_at = models.DateTimeField(_("dicatat rusak pada"), null=True, blank=True)
    defective_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    # db_default: the bulk loader (config.tooling.bulk) writes prints with raw column lists.
    defect_note = models.CharField(_("catatan kerusakan"), max_length=500, blank=True,
                                   default="", db_default="")
    defect_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["printed_at", "id"]
        verbose_name = _("cetak kartu")
        verbose_name_plural = _("cetak kartu")
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(outcome="success"),
                                    name="print_one_success_per_request"),
            # A defect record exactly on a defective print: one per card, never undone.
            models.CheckConstraint(
                condition=(
                    Q(outcome="defective", defect_movement__isnull=False,
                      defective_at__isnull=False)
                    | (~Q(outcome="defective") & Q(defect_movement__isnull=True,
                                                   defective_at__isnull=True,
                                                   defect_key__isnull=True))
                ),
                name="print_defect_only_when_defective",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.get_outcome_display()}"


class Suket(models.Model):
    """Surat Keterangan pengganti KTP-el: a temporary paper ID, valid for 6 months."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="sukets")
    number = models.CharField(_("nomor suket"), max_length=40, unique=True)
    issued_on = models.DateField(_("tanggal terbit"))
    valid_until = models.DateField(_("berlaku sampai"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    replaced_at = models.DateTimeField(_("diganti KTP-el pada"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("suket")
        verbose_name_plural = _("suket")
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(replaced_at__isnull=True),
                                    name="suket_one_active_per_request"),
        ]

    def __str__(self) -> str:
        return self.number


class Counter(models.Model):
    """Sequences for human-readable numbers, one row per office, kind and period."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=20)
    period = models.CharField(max_length=10)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "name", "period"], name="counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.office_id}/{self.name}/{self.period}={self.value}"


class AccessLog(models.Model):
    """Who saw a request's personal data, and when (UU PDP No. 27/2022)."""

    class Action(models.TextChoices):
        VIEW = "view", _("Melihat detail")
        EXPORT = "export", _("Mengekspor data subjek")
        SEARCH = "search", _("Mencari menurut NIK")

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT,
                                related_name="access_logs", null=True, blank=True)
    nik = models.CharField(_("NIK"), max_length=16)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("pengguna"))
    action = models.CharField(_("tindakan"), max_length=10, choices=Action.choices,
                              default=Action.VIEW)
    at = models.DateTimeField(_("waktu"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("log akses data pribadi")
        verbose_name_plural = _("log akses data pribadi")
        indexes = [models.Index(fields=["office", "-at"], name="accesslog_office_at")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_action_display()} {self.nik[:4]}… {self.at}"


class KeyDate(models.Model):
    """A date the stock must last until, such as an election; edited in the admin.

    The dashboard forecasts the shortfall up to the next key date. Its Meta also
    carries the supervisor-view permissions, which belong to no single table.
    """

    name = models.CharField(_("nama"), max_length=200)
    date = models.DateField(_("tanggal"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="key_dates",
        verbose_name=_("kantor"), help_text=_("Kosongkan bila berlaku untuk semua kantor."),
    )

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("tanggal penting")
        verbose_name_plural = _("tanggal penting")
        constraints = [
            models.UniqueConstraint(fields=["office", "name", "date"],
                                    name="keydate_unique_per_office"),
            models.UniqueConstraint(fields=["name", "date"], condition=Q(office__isnull=True),
                                    name="keydate_unique_for_all_offices"),
        ]
        indexes = [models.Index(fields=["date"], name="keydate_date")]
        permissions = [
            ("view_dashboard", _("Dapat melihat dasbor stok dan prakiraan")),
            ("view_report", _("Dapat melihat laporan bulanan blanko")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d-%m-%Y})"
