"""What a publication makes of an edition: PDF builds and stored PDFs, stored data files, and the snapshot of
its charts' cells."""

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _

from kib.choices import Territory


class PreviewStorage(LazyObject):
    """Draft previews live outside MEDIA_ROOT: they are never served as plain media files."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.KIB_PDF_PREVIEW_ROOT)


preview_storage = PreviewStorage()


def _preview_storage():
    return preview_storage


class PdfBuild(models.Model):
    """One run of the PDF builder: the published PDF of an edition, or a draft preview."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("gepubliceerde pdf")
        PREVIEW = "preview", _("conceptversie")

    class Status(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")

    edition = models.ForeignKey(
        "kib.Edition", on_delete=models.CASCADE, related_name="pdf_builds", verbose_name=_("editie")
    )
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.PUBLISHED)
    chapter = models.ForeignKey(
        "themes.Chapter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pdf_builds",
        verbose_name=_("hoofdstuk"),
        help_text=_("Leeg = de hele editie."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("foutmelding"), blank=True)
    # The lease of a running build: the worker renews ``heartbeat_at`` while it builds. A build whose
    # heartbeat is older than KIB_PDF_LEASE_SECONDS lost its worker; the watchdog queues it again
    # (at most KIB_PDF_MAX_ATTEMPTS runs) or marks it failed with the reason.
    heartbeat_at = models.DateTimeField(_("laatste hartslag"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    task_id = models.CharField(_("taak"), max_length=64, blank=True)
    repairs = models.ForeignKey(
        "PublishedPdf",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="repair_builds",
        verbose_name=_("herstelt"),
        help_text=_("Een herstelbouw maakt het beschadigde bestand van deze versie opnieuw uit de bevroren editie."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("aangevraagd door"),
    )
    created_at = models.DateTimeField(_("aangevraagd op"), auto_now_add=True)
    started_at = models.DateTimeField(_("gestart op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    duration = models.DurationField(_("duur"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pagina's"), null=True, blank=True)
    content_hash = models.CharField(
        _("inhoudshash"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("SHA-256 van de HTML; een ongewijzigde conceptversie wordt niet opnieuw gebouwd."),
    )
    file = models.FileField(_("bestand (conceptversie)"), storage=_preview_storage, upload_to="previews/", blank=True)
    published_pdf = models.ForeignKey(
        "PublishedPdf", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("resultaat")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pdf-bouw")
        verbose_name_plural = _("pdf-bouwen")

    @property
    def is_stalled(self):
        """Running, but the lease ran out: its worker stopped (the same rule as ``services.stalled_builds``)."""
        if self.status != self.Status.RUNNING:
            return False
        beat = self.heartbeat_at or self.started_at
        return beat is not None and beat < timezone.now() - timedelta(seconds=settings.KIB_PDF_LEASE_SECONDS)

    def __str__(self):
        what = self.chapter.display_title if self.chapter_id else str(self.edition)
        return f"{self.get_kind_display()} · {what} · {self.get_status_display()}"


class PublishedPdfQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def damaged(self):
        return self.filter(damaged_at__isnull=False)


class PublishedPdf(models.Model):
    """A stored PDF of a published edition. A correction adds a version; old versions stay on record."""

    edition = models.ForeignKey(
        "kib.Edition", on_delete=models.PROTECT, related_name="published_pdfs", verbose_name=_("editie")
    )
    version = models.PositiveIntegerField(_("versie"))
    file = models.FileField(_("bestand"), upload_to="publicaties/", max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"))
    page_count = models.PositiveIntegerField(_("pagina's"))
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    is_current = models.BooleanField(_("huidige versie"), default=False)
    # Set when the stored file no longer matches its size and SHA-256 (kib.publication.integrity);
    # cleared when a repair build has written it again.
    damaged_at = models.DateTimeField(_("beschadigd gevonden op"), null=True, blank=True)
    damage = models.CharField(_("beschadiging"), max_length=300, blank=True)
    repaired_at = models.DateTimeField(_("hersteld op"), null=True, blank=True)

    objects = PublishedPdfQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "-version"]
        verbose_name = _("gepubliceerde pdf")
        verbose_name_plural = _("gepubliceerde pdf's")
        constraints = [
            models.UniqueConstraint(fields=["edition", "version"], name="published_pdf_unique_version"),
            models.UniqueConstraint(
                fields=["edition"], condition=Q(is_current=True), name="published_pdf_one_current_per_edition"
            ),
        ]

    def __str__(self):
        return self.filename

    @property
    def filename(self):
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    def get_absolute_url(self):
        if self.is_current:
            return reverse("public:edition_pdf", args=[self.edition.year])
        return reverse("public:edition_pdf_version", args=[self.edition.year, self.version])


class PublishedFile(models.Model):
    """A stored data file of a published edition (the open-data zip, the CSV of its figures), made once.

    Built at publication and again when a correction closes (``kib.publication.datafiles``), served
    from storage after its size and SHA-256 are checked. A damaged or missing file is made again
    from the edition when someone asks for it, and served.
    """

    edition = models.ForeignKey(
        "kib.Edition", on_delete=models.CASCADE, related_name="published_files", verbose_name=_("editie")
    )
    identifier = models.CharField(_("export"), max_length=40, help_text=_("De exporteur (kib.publication.registry)."))
    file = models.FileField(_("bestand"), upload_to="open-data/", max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("grootte (bytes)"))
    created_at = models.DateTimeField(_("gemaakt op"))
    damaged_at = models.DateTimeField(_("beschadigd gevonden op"), null=True, blank=True)
    damage = models.CharField(_("beschadiging"), max_length=300, blank=True)

    class Meta:
        ordering = ["edition", "identifier"]
        verbose_name = _("gepubliceerd gegevensbestand")
        verbose_name_plural = _("gepubliceerde gegevensbestanden")
        constraints = [
            models.UniqueConstraint(fields=["edition", "identifier"], name="published_file_one_per_export"),
        ]

    def __str__(self):
        return self.filename

    @property
    def filename(self):
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ChartSnapshot(models.Model):
    """The cells a chart of a published edition draws online, taken at publication (``indicators.chart_data``).

    The public chapter page of a published edition draws its charts from these cells, not from the
    live observations: publishing a later edition (which makes more numbers of the same indicator
    public, or a revised value) changes nothing on it. A closed correction takes it again.
    """

    chart = models.OneToOneField(
        "indicators.Chart", on_delete=models.CASCADE, related_name="snapshot", verbose_name=_("grafiek")
    )
    taken_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("vastgelegde grafiek")
        verbose_name_plural = _("vastgelegde grafieken")

    def __str__(self):
        return f"{self.chart} ({self.taken_at:%d-%m-%Y})"


class SnapshotCell(models.Model):
    """One drawn cell of a ``ChartSnapshot``: an observation of one series, as it was published."""

    snapshot = models.ForeignKey(ChartSnapshot, on_delete=models.CASCADE, related_name="cells")
    series = models.ForeignKey("indicators.FigureSeries", on_delete=models.CASCADE, related_name="+")
    observation_pk = models.BigIntegerField(help_text=_("De waarneming waar de cel van komt (de volgorde van invoer)."))
    period = models.CharField(max_length=9)
    territory = models.CharField(max_length=3, choices=Territory.choices)
    sex = models.CharField(max_length=20, blank=True)
    age_group = models.CharField(max_length=40, blank=True)
    breakdown = models.CharField(max_length=120, blank=True)
    value = models.DecimalField(max_digits=16, decimal_places=3)
    flag = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("vastgelegde cel")
        verbose_name_plural = _("vastgelegde cellen")

    def __str__(self):
        return f"{self.period} {self.territory}: {self.value}"
