"""What the edition dashboard shows per chapter, in a fixed number of queries."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from indicators.services import figures_without_data
from kib.models import Edition
from kib.workflow.models import ReviewComment
from kib.workflow.scoping import visible_chapters
from themes.models import ChapterRecommendation, DevelopmentGroup, Figure
from themes.parts import BY_KEY

# The parts whose absence the dashboard reports (``n_<key>`` on each chapter); see ``_missing``.
COUNTED_PARTS = ("headline_values", "key_figures", "chapter_recommendations", "sections")


def _count(queryset):
    rows = queryset.filter(chapter=OuterRef("pk")).order_by().values("chapter").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _missing(chapter, recommendations_without_groups, figures_without_source, figures_without_data):
    missing = []
    if chapter.edition.series == Edition.Series.CIJFERS:
        if not chapter.n_sections:
            missing.append(_("geen secties"))
        return missing
    labels = {"focus": _("focus"), "intro_question": _("inleidende vraag"), "summary": _("Zo staat het ervoor")}
    missing += [
        _("leeg: %(part)s") % {"part": label} for name, label in labels.items() if not getattr(chapter, name).strip()
    ]
    if chapter.headline_kind == chapter.HeadlineKind.NONE:
        if not chapter.headline_note.strip():
            missing.append(_("geen kerncijfer en geen toelichting waarom niet"))
    elif not chapter.n_headline_values:
        missing.append(_("kerncijfer zonder waarden"))
    if not chapter.n_key_figures:
        missing.append(_("geen kengetallen"))
    if not chapter.n_chapter_recommendations:
        missing.append(_("geen aanbevelingen"))
    if codes := recommendations_without_groups.get(chapter.pk):
        missing.append(_("aanbevelingen zonder ontwikkelingen of beleid: %(codes)s") % {"codes": ", ".join(codes)})
    if numbers := figures_without_source.get(chapter.pk):
        missing.append(_("figuren zonder bron: %(numbers)s") % {"numbers": ", ".join(str(n) for n in numbers)})
    if numbers := figures_without_data.get(chapter.pk):
        missing.append(
            _("cijfers nog in te voeren voor figuur %(numbers)s") % {"numbers": ", ".join(str(n) for n in numbers)}
        )
    return missing


def chapter_rows(edition, user):
    """The chapters of ``edition`` that ``user`` sees, each with ``open_comments`` and ``missing``."""
    chapters = list(
        visible_chapters(user)
        .filter(edition=edition)
        .select_related("edition", "theme", "lead_organisation", "revised_by")
        .prefetch_related("contributing_organisations")
        .annotate(
            open_comments=_count(ReviewComment.objects.open()),
            **{f"n_{key}": _count(BY_KEY[key].model.objects.all()) for key in COUNTED_PARTS},
        )
        .order_by("theme__number")
    )
    ids = [c.pk for c in chapters]
    grouped = DevelopmentGroup.recommendations.through.objects.filter(
        developmentgroup__chapter=OuterRef("chapter"), recommendation=OuterRef("recommendation")
    )
    without_groups = {}
    for chapter_id, code in (
        ChapterRecommendation.objects.filter(chapter__in=ids)
        .filter(~Exists(grouped))
        .order_by("recommendation__sort_key")
        .values_list("chapter_id", "recommendation__code")
    ):
        without_groups.setdefault(chapter_id, []).append(code)
    without_source = {}
    for chapter_id, number in Figure.objects.filter(chapter__in=ids, source_line="").values_list(
        "chapter_id", "number"
    ):
        without_source.setdefault(chapter_id, []).append(number)
    without_data = {}
    for figure in figures_without_data(edition, chapters=ids):
        without_data.setdefault(figure.chapter_id, []).append(figure.number)
    for chapter in chapters:
        chapter.missing = _missing(chapter, without_groups, without_source, without_data)
    return chapters
