"""The editorial workflow's own records: the audit trail, review comments and corrections.

State changes themselves live in ``services.py``; these models only remember them.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kib.models import Edition
from themes.models import Chapter


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class AuditEntry(models.Model):
    """One state change (or other workflow event) of a chapter or an edition: who, when, from, to, why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("ingediend")
        REQUEST_CHANGES = "request_changes", _("wijzigingen gevraagd")
        APPROVE = "approve", _("goedgekeurd")
        REOPEN = "reopen", _("heropend")
        RESTORE = "restore", _("oude versie teruggezet")
        PUBLISH = "publish", _("gepubliceerd")
        OPEN_CORRECTION = "open_correction", _("correctie geopend")
        CLOSE_CORRECTION = "close_correction", _("correctie gesloten")
        START_EDITION = "start_edition", _("editie gestart")
        REMINDER = "reminder", _("herinnering verstuurd")
        PLAN = "plan", _("planning gewijzigd")
        CONFIRM_CARRIED_OVER = "confirm_carried_over", _("overgenomen tekst bevestigd")

    at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    action = models.CharField(_("actie"), max_length=30, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("soort"))
    object_id = models.PositiveBigIntegerField(_("nummer"))
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=300)
    from_state = models.CharField(_("van"), max_length=20, blank=True)
    to_state = models.CharField(_("naar"), max_length=20, blank=True)
    comment = models.TextField(_("toelichting"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("logregel")
        verbose_name_plural = _("logregels")
        default_permissions = ("view",)
        # The workflow's own permissions; the roles (see roles.py) hand them out.
        permissions = [
            ("see_all_chapters", _("Alle hoofdstukken zien, van elke organisatie")),
            ("submit_chapter", _("Hoofdstukken indienen")),
            ("review_chapter", _("Hoofdstukken beoordelen: wijzigingen vragen, goedkeuren, heropenen")),
            ("publish_edition", _("Edities publiceren, corrigeren en de volgende editie starten")),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user or '—'}: {self.get_action_display()} {self.object_repr}"

    @property
    def transition(self):
        """'concept → ingediend', in words."""
        labels = {**dict(Chapter.State.choices), **dict(Edition.State.choices)}
        if not (self.from_state or self.to_state):
            return ""
        return f"{labels.get(self.from_state, self.from_state or '—')} → {labels.get(self.to_state, self.to_state)}"


class ReviewCommentQuerySet(models.QuerySet):
    def open(self):
        """Threads still waiting for an answer: top-level comments not resolved."""
        return self.filter(parent__isnull=True, resolved_at__isnull=True)


class ReviewComment(models.Model):
    chapter = models.ForeignKey(
        "themes.Chapter", on_delete=models.CASCADE, related_name="review_comments", verbose_name=_("hoofdstuk")
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("soort onderdeel")
    )
    object_id = models.PositiveBigIntegerField(_("nummer van het onderdeel"), null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField(_("onderdeel"), max_length=300, blank=True)
    section = models.CharField(
        _("sectie"),
        max_length=40,
        blank=True,
        help_text=_("De sectie van het hoofdstuk waar de opmerking bij staat (themes/sections.py)."),
    )
    quote = models.TextField(_("geciteerde passage"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies", verbose_name=_("antwoord op")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("auteur")
    )
    text = models.TextField(_("opmerking"))
    created_at = models.DateTimeField(_("geplaatst op"), default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("afgehandeld door"),
    )
    resolved_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)

    objects = ReviewCommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("opmerking")
        verbose_name_plural = _("opmerkingen")

    def __str__(self):
        return self.text[:80]

    @property
    def is_resolved(self):
        return self.resolved_at is not None


class EditionCorrection(models.Model):
    """A window in which a published edition may be changed; opened and closed by a coordinator."""

    edition = models.ForeignKey(
        "kib.Edition", on_delete=models.CASCADE, related_name="corrections", verbose_name=_("editie")
    )
    reason = models.TextField(_("reden"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("geopend door")
    )
    opened_at = models.DateTimeField(_("geopend op"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gesloten door"),
    )
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("correctie")
        verbose_name_plural = _("correcties")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["edition"], condition=Q(closed_at__isnull=True), name="correction_one_open_per_edition"
            ),
        ]

    def __str__(self):
        return f"{self.edition}: {self.reason[:60]}"


class CarriedOverQuerySet(models.QuerySet):
    def unconfirmed(self):
        """Still "overgenomen": nobody changed the text or confirmed that it is still right."""
        return self.filter(changed_at__isnull=True, confirmed_at__isnull=True)


class CarriedOver(models.Model):
    """A text that ``start_next_edition`` carried over from last year: a chapter's own texts, one part, or one
    edition text (``field``). It counts as "overgenomen" until an editor changes it (``changed_at``, set when
    it is saved with other text) or confirms it is still right (``confirmed_at``). Kept after that, so what
    changed since last year can be told per chapter and part.
    """

    edition = models.ForeignKey(
        "kib.Edition", on_delete=models.CASCADE, related_name="carried_over", verbose_name=_("editie")
    )
    chapter = models.ForeignKey(
        "themes.Chapter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carried_over",
        verbose_name=_("hoofdstuk"),
        help_text=_("Leeg voor een tekst van de editie zelf (inleiding, colofon…)."),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        _("veld"), max_length=40, blank=True, help_text=_("Leeg = alle teksten van het onderdeel.")
    )
    label = models.CharField(_("onderdeel"), max_length=300)
    source_object_id = models.PositiveBigIntegerField(_("vorig jaar"), null=True, blank=True)
    fingerprint = models.CharField(max_length=64, editable=False)
    changed_at = models.DateTimeField(_("gewijzigd op"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bevestigd door"),
    )

    objects = CarriedOverQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("overgenomen tekst")
        verbose_name_plural = _("overgenomen teksten")
        default_permissions = ("view",)
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "field"], name="carried_over_once_per_part"),
        ]

    def __str__(self):
        return self.label

    @property
    def is_open(self):
        return self.changed_at is None and self.confirmed_at is None
