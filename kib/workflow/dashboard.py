"""What the edition dashboard (and "Mijn werk") shows per chapter, in a fixed number of queries."""

from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from indicators.chart_data import _series_matches
from indicators.models import Chart, FigureSeries
from kib.models import Edition
from kib.workflow import review
from kib.workflow.freshness import unconfirmed_per_chapter
from kib.workflow.models import AuditEntry, ReviewComment
from kib.workflow.scoping import visible_chapters
from themes.models import Chapter, ChapterRecommendation, DevelopmentGroup, Figure
from themes.parts import BY_KEY

# The parts whose absence the dashboard reports (``n_<key>`` on each chapter, true when it has one); see ``_missing``.
COUNTED_PARTS = ("headline_values", "key_figures", "chapter_recommendations", "sections")

CHANGES_REQUESTED = "changes_requested"
CHANGES_REQUESTED_LABEL = gettext_lazy("wijzigingen gevraagd")


def with_status(queryset):
    """Annotate ``last_step``: the action of the chapter's latest state change (from the audit log).

    A draft whose latest state change is a request for changes is "wijzigingen gevraagd";
    ``status`` and ``status_label`` below read it.
    """
    steps = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model), object_id=OuterRef("pk")
        )
        .exclude(to_state="")
        .order_by("-at", "-pk")
        .values("action")[:1]
    )
    return queryset.annotate(last_step=Subquery(steps, output_field=CharField()))


def filter_status(queryset, status):
    """``queryset`` (annotated by ``with_status``) narrowed to one status, "changes_requested" included."""
    if status == CHANGES_REQUESTED:
        return queryset.filter(state=Chapter.State.DRAFT, last_step=AuditEntry.Action.REQUEST_CHANGES)
    if status == Chapter.State.DRAFT:
        return queryset.filter(
            Q(last_step__isnull=True) | ~Q(last_step=AuditEntry.Action.REQUEST_CHANGES), state=status
        )
    return queryset.filter(state=status)


def status(chapter):
    if (
        chapter.state == Chapter.State.DRAFT
        and getattr(chapter, "last_step", None) == AuditEntry.Action.REQUEST_CHANGES
    ):
        return CHANGES_REQUESTED
    return chapter.state


def status_label(chapter):
    return CHANGES_REQUESTED_LABEL if status(chapter) == CHANGES_REQUESTED else chapter.get_state_display()


STATUS_CHOICES = [
    (Chapter.State.DRAFT, Chapter.State.DRAFT.label),
    (CHANGES_REQUESTED, CHANGES_REQUESTED_LABEL),
    (Chapter.State.SUBMITTED, Chapter.State.SUBMITTED.label),
    (Chapter.State.APPROVED, Chapter.State.APPROVED.label),
]


def deadline_text(deadline, state, today=None):
    """The deadline in words: "te laat: 3 dagen", "vandaag", "nog 5 dagen" ("" when none or approved)."""
    if deadline is None or state == Chapter.State.APPROVED:
        return ""
    days = (deadline - (today or timezone.localdate())).days
    if days < 0:
        return ngettext("te laat: %(n)s dag", "te laat: %(n)s dagen", -days) % {"n": -days}
    if days == 0:
        return _("vandaag")
    return ngettext("nog %(n)s dag", "nog %(n)s dagen", days) % {"n": days}


class Gap(str):
    """One thing still missing from a chapter, with ``url``: where it is fixed."""

    def __new__(cls, text, url):
        gap = super().__new__(cls, text)
        gap.url = url
        return gap


def _count(queryset):
    rows = queryset.filter(chapter=OuterRef("pk")).order_by().values("chapter").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _has(queryset):
    """EXISTS: the chapter has a row of ``queryset`` (the dashboard asks whether, not how many)."""
    return Exists(queryset.filter(chapter=OuterRef("pk")))


def _missing(chapter, recommendations_without_groups, figures_without_source, without_data, carried):
    page = reverse("admin:themes_chapter_change", args=[chapter.pk])

    def gap(text, anchor=""):
        return Gap(text, page + anchor)

    missing = []
    if n := carried.get(chapter.pk):
        url = reverse("admin:workflow_carried_over", args=[chapter.pk])
        missing.append(
            Gap(
                ngettext("%(n)s overgenomen tekst nog te bekijken", "%(n)s overgenomen teksten nog te bekijken", n)
                % {"n": n},
                url,
            )
        )
    if chapter.edition.series == Edition.Series.CIJFERS:
        if not chapter.n_sections:
            missing.append(gap(_("geen secties"), "#sections-group"))
        return missing
    labels = {"focus": _("focus"), "intro_question": _("inleidende vraag"), "summary": _("Zo staat het ervoor")}
    missing += [
        gap(_("leeg: %(part)s") % {"part": label}, f"#id_{name}")
        for name, label in labels.items()
        if not getattr(chapter, name).strip()
    ]
    if chapter.headline_kind == chapter.HeadlineKind.NONE:
        if not chapter.headline_note.strip():
            missing.append(gap(_("geen kerncijfer en geen toelichting waarom niet"), "#id_headline_note"))
    elif not chapter.n_headline_values:
        missing.append(gap(_("kerncijfer zonder waarden"), "#headline_values-group"))
    if not chapter.n_key_figures:
        missing.append(gap(_("geen kengetallen"), "#key_figures-group"))
    if not chapter.n_chapter_recommendations:
        missing.append(gap(_("geen aanbevelingen"), "#chapter_recommendations-group"))
    if codes := recommendations_without_groups.get(chapter.pk):
        missing.append(
            gap(
                _("aanbevelingen zonder ontwikkelingen of beleid: %(codes)s") % {"codes": ", ".join(codes)},
                "#development_groups-group",
            )
        )
    if numbers := figures_without_source.get(chapter.pk):
        missing.append(
            gap(
                _("figuren zonder bron: %(numbers)s") % {"numbers": ", ".join(str(n) for n in numbers)},
                "#figures-group",
            )
        )
    if figures := [f for f in without_data.get(chapter.pk, []) if not f.printed_without_chart]:
        missing.append(
            gap(
                _("cijfers nog in te voeren voor figuur %(numbers)s")
                % {"numbers": ", ".join(str(f.number) for f in figures)},
                "#figures-group",
            )
        )
    return missing


def chapter_rows(edition, user):
    """The chapters of ``edition`` that ``user`` sees, each with ``open_comments``, ``missing`` (gaps with
    the link to where each is fixed), ``status``/``status_label`` and ``deadline_text``."""
    chapters = list(
        with_status(visible_chapters(user))
        .filter(edition=edition)
        .select_related("edition", "theme", "lead_organisation", "revised_by")
        .prefetch_related("contributing_organisations")
        .annotate(
            open_comments=_count(ReviewComment.objects.open()),
            **review.first_open_annotations(),
            **{f"n_{key}": _has(BY_KEY[key].model.objects.all()) for key in COUNTED_PARTS},
        )
        .order_by("theme__number")
    )
    ids = [c.pk for c in chapters]
    without_groups, unassessed = recommendation_gaps(edition, ids)
    without_source, without_data = figure_gaps(edition, ids)
    carried = unconfirmed_per_chapter(edition, chapters=ids)
    today = timezone.localdate()
    for chapter in chapters:
        chapter.comments_url = review.first_open_url(chapter)
        chapter.missing = _missing(chapter, without_groups, without_source, without_data, carried)
        chapter.status = status(chapter)
        chapter.status_label = status_label(chapter)
        chapter.deadline_text = deadline_text(chapter.deadline, chapter.state, today)
        chapter.is_late = chapter.deadline_text.startswith(_("te laat"))
        chapter.unconfirmed = carried.get(chapter.pk, 0)
        chapter.figures_without_data = without_data.get(chapter.pk, [])
        chapter.unassessed_recommendations = unassessed.get(chapter.pk, [])
    return chapters


def recommendation_gaps(edition, chapter_ids):
    """Per chapter, in one query: the codes of its recommendations that no development group discusses, and
    of those a published earlier edition listed too but whose movement since then is not assessed."""
    grouped = DevelopmentGroup.recommendations.through.objects.filter(
        developmentgroup__chapter=OuterRef("chapter"), recommendation=OuterRef("recommendation")
    )
    listed_before = ChapterRecommendation.objects.filter(
        recommendation=OuterRef("recommendation"),
        chapter__edition__in=Edition.objects.published().filter(year__lt=edition.year),
    )
    without_groups, unassessed = {}, {}
    for chapter_id, code, has_group, needs_assessment in (
        ChapterRecommendation.objects.filter(chapter__in=chapter_ids)
        .annotate(has_group=Exists(grouped), needs_assessment=Q(movement="") & Exists(listed_before))
        .order_by("recommendation__sort_key", "recommendation__code")
        .values_list("chapter_id", "recommendation__code", "has_group", "needs_assessment")
    ):
        if not has_group:
            without_groups.setdefault(chapter_id, []).append(code)
        if needs_assessment:
            unassessed.setdefault(chapter_id, []).append(code)
    return without_groups, unassessed


class FigureGap(NamedTuple):
    """A figure as the dashboard and the readiness check read it."""

    pk: int
    chapter_id: int
    number: int
    printed_without_chart: bool
    no_chart_note: str


def _drawn(queryset, **observation):
    """``FigureSeries`` narrowed to those joined to an observation that lies in the series and matches
    ``observation`` (lookups on ``indicator__observations__``): one ``filter()``, so that every condition is
    about the same observation (one join)."""
    matches = Q(**{f"indicator__observations__{name}": value for name, value in observation.items()})
    return queryset.filter(_series_matches(public_only=False) & matches)


def figure_gaps(edition, chapters=None):
    """Per chapter: the numbers of its figures without a source line, and its figures that cannot be drawn yet
    ("cijfers nog in te voeren", as ``FigureGap``), in print order.

    The figures without data are those of ``indicators.services.figures_without_data`` (no chart, or a chart
    that draws no period with data: ``Chart.shown_periods`` is empty), found without listing every period of
    every charted indicator: one query for the figures, each with whether any observation lies in its chart's
    series (EXISTS); a window of the last periods then draws something. Only charts that name their periods
    (an editor's choice, or pinned at publication) need a second query: which of those periods have data.
    ``chapters`` (ids) narrows it to those chapters.
    """
    figures = Figure.objects.filter(chapter__edition=edition)
    if chapters is not None:
        figures = figures.filter(chapter__in=chapters)
    rows = list(
        figures.annotate(has_cells=Exists(_drawn(FigureSeries.objects.filter(chart__figure=OuterRef("pk")))))
        .order_by("chapter__theme__number", "number")
        .values_list(*FigureGap._fields, "source_line", "chart__periods", "has_cells")
    )
    named = {row[0]: Chart(periods=row[-2]).period_list() for row in rows if row[-1] and row[-2]}
    named = {pk: periods for pk, periods in named.items() if periods}
    drawn = set()
    if named:
        wanted = {period for periods in named.values() for period in periods}
        found = _drawn(FigureSeries.objects.filter(chart__figure__in=named), period__in=wanted)
        drawn = {
            figure_id
            for figure_id, period in found.values_list("chart__figure", "indicator__observations__period").distinct()
            if period in named[figure_id]
        }
    without_source, without_data = {}, {}
    for row in rows:
        gap, source_line, _periods, has_cells = FigureGap(*row[:5]), *row[5:]
        if not source_line:
            without_source.setdefault(gap.chapter_id, []).append(gap.number)
        if not has_cells or (gap.pk in named and gap.pk not in drawn):
            without_data.setdefault(gap.chapter_id, []).append(gap)
    return without_source, without_data
