"""The UN Committee's concluding observations and their recommendations."""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kib.freeze import GuardedQuerySet
from kib.reversing import reverse_once
from kib.richtext import RichTextField

# 15b, 22d, 41(i), 42b(iii), 42 — a paragraph number, optional letters, optional roman sub-item.
CODE_PATTERN = r"^[0-9]{1,3}[a-z]{0,2}(\([ivxl]{1,6}\))?$"
_CODE_RE = re.compile(r"^(?P<num>[0-9]{1,3})(?P<letters>[a-z]{0,2})(?:\((?P<roman>[ivxl]{1,6})\))?$")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


def _roman_value(text):
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN[ch]
        if i + 1 < len(text) and _ROMAN[text[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


def code_sort_key(code):
    """Sort key that orders 9 < 15b < 15c < 41(ii) < 41(x) < 42 < 42b(iii)."""
    match = _CODE_RE.match(code or "")
    if not match:
        return f"999{code}"
    roman = _roman_value(match["roman"]) if match["roman"] else 0
    return f"{int(match['num']):03d}{match['letters']:<2}{roman:03d}"


class ConcludingObservations(models.Model):
    symbol = models.CharField(_("documentcode"), max_length=60, unique=True, help_text=_("Bijv. CRC/C/NLD/CO/5-6."))
    title = models.CharField(_("titel"), max_length=400)
    adopted_on = models.DateField(_("vastgesteld op"), null=True, blank=True)
    url = models.URLField(_("URL"), blank=True)

    objects = GuardedQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on"]
        verbose_name = _("slotopmerkingen")
        verbose_name_plural = _("slotopmerkingen")

    def __str__(self):
        return self.symbol


class RecommendationQuerySet(GuardedQuerySet):
    def published(self):
        """Recommendations the public may see: those of concluding observations a published edition follows.

        The UN text itself is public, but a new set of observations only appears on the site together
        with the first published edition that tracks it.
        """
        from kib.models import Edition

        followed = Edition.objects.published().filter(
            concluding_observations=models.OuterRef("concluding_observations")
        )
        return self.filter(models.Exists(followed))


class Recommendation(models.Model):
    concluding_observations = models.ForeignKey(
        ConcludingObservations,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("slotopmerkingen"),
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        validators=[
            RegexValidator(CODE_PATTERN, _("Gebruik de code zoals gedrukt, bijv. 15b, 41(i), 42b(iii) of 42."))
        ],
        help_text=_("Precies zoals gedrukt: 15b, 41(i), 42b(iii) of 42. Uniek binnen de slotopmerkingen."),
    )
    sort_key = models.CharField(max_length=20, editable=False, db_index=True)
    text = RichTextField(_("tekst"))
    theme = models.ForeignKey(
        "themes.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("thema"),
    )

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["concluding_observations", "sort_key"]
        verbose_name = _("aanbeveling")
        verbose_name_plural = _("aanbevelingen")
        constraints = [
            models.UniqueConstraint(fields=["concluding_observations", "code"], name="recommendation_unique_code"),
            models.CheckConstraint(condition=Q(code__regex=CODE_PATTERN), name="recommendation_code_format"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse_once("public:recommendation", self.concluding_observations_id, self.code)
