"""What spans a whole edition: organisations and their people, editions, sources."""

import functools

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kib.freeze import GuardedQuerySet
from kib.reversing import reverse_once
from kib.richtext import RichTextField


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COLLECTIVE = "collective", _("collectief")
        CORE = "core", _("kernlid")
        PARTNER = "partner", _("partnerorganisatie")

    name = models.CharField(_("naam"), max_length=200, unique=True)
    short_name = models.CharField(_("korte naam"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.CORE)
    website = models.URLField(_("website"), blank=True)
    description = RichTextField(_("beschrijving"), blank=True)
    is_active = models.BooleanField(_("actief"), default=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations", verbose_name=_("mensen")
    )

    objects = GuardedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.short_name or self.name


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    job_title = models.CharField(_("functie"), max_length=120, blank=True)
    since = models.DateField(_("sinds"), null=True, blank=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")]

    def __str__(self):
        return f"{self.user} – {self.organisation}"


@functools.lru_cache(maxsize=256)
def _period_label(start, end, language):
    """"januari 2023 – december 2023": made once per period and language (``date_format`` looks up the
    month's name and the format each time; a timeline prints one per edition)."""
    from django.utils.formats import date_format

    with translation.override(language):
        return f"{date_format(start, 'F Y')} – {date_format(end, 'F Y')}"


class EditionQuerySet(models.QuerySet):
    def published(self):
        """The only way the public site reaches editions."""
        return self.filter(state=Edition.State.PUBLISHED)


class Edition(models.Model):
    class State(models.TextChoices):
        PREPARATION = "preparation", _("in voorbereiding")
        PUBLISHED = "published", _("gepubliceerd")

    class Series(models.TextChoices):
        BEWEGING = "beweging", _("Kinderrechten in Beweging")
        CIJFERS = "cijfers", _("Kinderrechten in Cijfers")

    year = models.PositiveSmallIntegerField(
        _("jaar"), unique=True, help_text=_("Het jaar van verschijnen (1990–2100); één editie per jaar.")
    )
    title = models.CharField(_("titel"), max_length=200)
    subtitle = models.CharField(_("ondertitel"), max_length=200, blank=True)
    series = models.CharField(_("reeks"), max_length=20, choices=Series.choices, default=Series.BEWEGING)
    reporting_period_start = models.DateField(_("verslagperiode van"), null=True, blank=True)
    reporting_period_end = models.DateField(_("verslagperiode tot en met"), null=True, blank=True)
    concluding_observations = models.ForeignKey(
        "recommendations.ConcludingObservations",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editions",
        verbose_name=_("slotopmerkingen"),
        help_text=_("De aanbevelingen van het VN-Kinderrechtencomité die deze editie volgt."),
    )
    introduction = RichTextField(_("inleiding"), blank=True)
    reading_guide = RichTextField(_("leeswijzer"), blank=True)
    about = RichTextField(_("over het Kinderrechtencollectief"), blank=True)
    closing = RichTextField(_("slotwoord"), blank=True)
    colophon = RichTextField(_("colofon"), blank=True)
    publication_date = models.DateField(_("publicatiedatum"), null=True, blank=True)
    state = models.CharField(
        _("status"), max_length=20, choices=State.choices, default=State.PREPARATION, editable=False
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True, editable=False)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("editie")
        verbose_name_plural = _("edities")
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1990) & Q(year__lte=2100), name="edition_year_in_range"),
            models.CheckConstraint(
                condition=Q(reporting_period_start__isnull=True)
                | Q(reporting_period_end__isnull=True)
                | Q(reporting_period_end__gte=F("reporting_period_start")),
                name="edition_period_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.year}" if str(self.year) not in self.title else self.title

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED

    def get_absolute_url(self):
        return reverse_once("public:edition", self.year)

    @property
    def reporting_period_label(self):
        if not (self.reporting_period_start and self.reporting_period_end):
            return ""
        return _period_label(self.reporting_period_start, self.reporting_period_end, translation.get_language())


class Source(models.Model):
    """A publication cited by the report; one URL is one source, cited from many places."""

    url = models.URLField(_("URL"), max_length=1000, unique=True, null=True, blank=True)
    publisher = models.CharField(_("uitgever"), max_length=200, blank=True)
    title = models.CharField(_("titel"), max_length=500, blank=True)
    published_on = models.DateField(_("gepubliceerd op"), null=True, blank=True)
    accessed_on = models.DateField(_("geraadpleegd op"), null=True, blank=True)

    objects = GuardedQuerySet.as_manager()

    class Meta:
        ordering = ["publisher", "title", "url"]
        verbose_name = _("bron")
        verbose_name_plural = _("bronnen")
        constraints = [
            models.CheckConstraint(
                condition=(Q(url__isnull=False) & ~Q(url="")) | ~Q(title=""), name="source_has_url_or_title"
            ),
        ]

    def __str__(self):
        return self.title or self.url or "?"
