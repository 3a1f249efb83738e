"""Is an edition ready to publish? One function per rule, each returning the problems it finds.

A problem names what is wrong and links to the place where it is fixed. ``blocking`` problems
stop publishing (a chapter not approved); the others are warnings a coordinator may publish
over, with a written reason that goes into the audit log. The dashboard shows the same list
all year, and ``publish_edition`` runs it inside its transaction. A fixed number of queries.
"""

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kib.workflow.freshness import unconfirmed_per_chapter
from kib.workflow.models import CarriedOver, ReviewComment


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    url: str
    chapter_id: int | None = None
    blocking: bool = False

    def __str__(self):
        return self.message


def _chapter_url(chapter_id, anchor=""):
    return reverse("admin:themes_chapter_change", args=[chapter_id]) + anchor


def _name(chapter):
    return f"{chapter.theme.number}. {chapter.display_title}"


def _chapters(edition):
    """The edition's chapters with what the rules read: ``open_comments``, ``unconfirmed``, ``figures_without_data``,
    ``unassessed_recommendations``."""
    from kib.workflow.dashboard import _count, figure_gaps, recommendation_gaps

    chapters = {
        c.pk: c
        for c in edition.chapters.select_related("theme")
        .annotate(open_comments=_count(ReviewComment.objects.open()))
        .order_by("theme__number")
    }
    carried = unconfirmed_per_chapter(edition)
    _without_groups, unassessed = recommendation_gaps(edition, list(chapters))
    _without_source, without_data = figure_gaps(edition)
    for pk, chapter in chapters.items():
        chapter.unconfirmed = carried.get(pk, 0)
        chapter.figures_without_data = without_data.get(pk, [])
        chapter.unassessed_recommendations = unassessed.get(pk, [])
    return chapters


def chapters_approved(edition, chapters):
    """Every chapter is approved (the only rule nobody publishes over)."""
    problems = [
        Problem(
            "approval",
            _("Hoofdstuk %(chapter)s is nog niet goedgekeurd (%(state)s).")
            % {"chapter": _name(c), "state": c.get_state_display()},
            _chapter_url(c.pk),
            c.pk,
            blocking=True,
        )
        for c in chapters.values()
        if c.state != c.State.APPROVED
    ]
    if not chapters:
        problems.append(
            Problem(
                "approval",
                _("Deze editie heeft nog geen hoofdstukken."),
                reverse("admin:themes_chapter_add"),
                None,
                True,
            )
        )
    return problems


def figures_have_data(edition, chapters):
    """Every numbered figure can be drawn, or its editor marked it printed without a chart, with a note."""
    problems = []
    for figure in (f for c in chapters.values() for f in c.figures_without_data):
        url = reverse("admin:themes_figure_change", args=[figure.pk])
        if not figure.printed_without_chart:
            message = _(
                "Figuur %(number)s in hoofdstuk %(chapter)s heeft geen cijfers: voer ze in, of markeer de figuur als "
                "gedrukt zonder grafiek (met toelichting)."
            )
        elif not figure.no_chart_note.strip():
            message = _("Figuur %(number)s in hoofdstuk %(chapter)s is gedrukt zonder grafiek maar zonder toelichting.")
        else:
            continue
        problems.append(
            Problem(
                "figures",
                message % {"number": figure.number, "chapter": _name(chapters[figure.chapter_id])},
                url,
                figure.chapter_id,
            )
        )
    return problems


def no_open_comments(edition, chapters):
    """No review comment is still open."""
    counts = {pk: c.open_comments for pk, c in chapters.items()}
    return [
        Problem(
            "comments",
            ngettext(
                "Hoofdstuk %(chapter)s heeft %(count)s open opmerking.",
                "Hoofdstuk %(chapter)s heeft %(count)s open opmerkingen.",
                counts[pk],
            )
            % {"chapter": _name(c), "count": counts[pk]},
            _chapter_url(pk, "#review-comments"),
            pk,
        )
        for pk, c in chapters.items()
        if counts.get(pk)
    ]


def carried_over_looked_at(edition, chapters):
    """Every text carried over from last year was changed or confirmed by an editor."""
    counts = {pk: c.unconfirmed for pk, c in chapters.items()}
    return [
        Problem(
            "freshness",
            ngettext(
                "Hoofdstuk %(chapter)s: %(count)s tekst is overgenomen van vorig jaar en nog niet bekeken.",
                "Hoofdstuk %(chapter)s: %(count)s teksten zijn overgenomen van vorig jaar en nog niet bekeken.",
                counts[pk],
            )
            % {"chapter": _name(c), "count": counts[pk]},
            reverse("admin:workflow_carried_over", args=[pk]),
            pk,
        )
        for pk, c in chapters.items()
        if counts.get(pk)
    ]


_YEAR = re.compile(r"\b(19|20)\d\d\b")


def reporting_period(edition, chapters):
    """The period printed on the cover and in the metadata comes from the edition's period fields."""
    url = reverse("admin:kib_edition_change", args=[edition.pk])
    if not (edition.reporting_period_start and edition.reporting_period_end):
        return [Problem("period", _("De verslagperiode van de editie is niet ingevuld (van en tot en met)."), url)]
    allowed = {edition.year, edition.reporting_period_start.year, edition.reporting_period_end.year}
    stale = sorted({int(m.group(0)) for m in _YEAR.finditer(edition.subtitle)} - allowed)
    if stale or "verslagperiode" in edition.subtitle.lower():
        return [
            Problem(
                "period",
                _(
                    "De ondertitel '%(subtitle)s' noemt een periode; de verslagperiode op de omslag komt uit de "
                    "periodevelden (%(period)s). Pas de ondertitel aan."
                )
                % {"subtitle": edition.subtitle, "period": edition.reporting_period_label},
                url,
            )
        ]
    return []


def edition_texts_looked_at(edition, chapters):
    """The edition's own texts (introduction, colophon…) carried over were changed or confirmed."""
    labels = list(
        CarriedOver.objects.unconfirmed().filter(edition=edition, chapter__isnull=True).values_list("label", flat=True)
    )
    if not labels:
        return []
    return [
        Problem(
            "edition_texts",
            _("Overgenomen van vorig jaar en nog niet bekeken: %(texts)s.") % {"texts": ", ".join(labels)},
            reverse("admin:workflow_edition_carried_over", args=[edition.pk]),
        )
    ]


def movement_assessed(edition, chapters):
    """Every recommendation a chapter lists again has its movement since the previous edition assessed.

    Only a recommendation that a published earlier edition listed too: one the report lists for the
    first time has no previous edition to have moved from (``dashboard.recommendation_gaps``).
    """
    return [
        Problem(
            "movement",
            ngettext(
                "Hoofdstuk %(chapter)s: bij aanbeveling %(codes)s is de beweging sinds de vorige editie nog niet "
                "beoordeeld.",
                "Hoofdstuk %(chapter)s: bij %(count)s aanbevelingen (%(codes)s) is de beweging sinds de vorige editie "
                "nog niet beoordeeld.",
                len(c.unassessed_recommendations),
            )
            % {
                "chapter": _name(c),
                "count": len(c.unassessed_recommendations),
                "codes": ", ".join(c.unassessed_recommendations),
            },
            _chapter_url(pk, "?sectie=aanbevelingen"),
            pk,
        )
        for pk, c in chapters.items()
        if c.unassessed_recommendations
    ]


RULES = [
    chapters_approved,
    figures_have_data,
    no_open_comments,
    carried_over_looked_at,
    movement_assessed,
    reporting_period,
    edition_texts_looked_at,
]


def check(edition, chapters=None):
    """Every problem standing in the way of publishing ``edition``, blocking ones first.

    ``chapters``: the rows of ``dashboard.chapter_rows`` for somebody who sees every chapter,
    so a page showing both does not look everything up twice.
    """
    chapters = _chapters(edition) if chapters is None else {c.pk: c for c in chapters}
    problems = [problem for rule in RULES for problem in rule(edition, chapters)]
    return sorted(problems, key=lambda p: not p.blocking)
