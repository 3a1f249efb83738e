"""What a section page of the chapter's admin page shows besides its form (``themes.sections``).

The navigator's counts per section (items, open review comments, what is still missing for
readiness), the Caribbean overview and the list of cited sources. A fixed number of queries
whatever the chapter holds: the counts are scalar subqueries of one query on the chapter.
"""

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from indicators.models import DataGap
from kib.choices import Territory
from kib.workflow import dashboard
from kib.workflow.models import ReviewComment
from themes import parts, sections
from themes.models import Chapter, Citation, DevelopmentItem


@dataclass
class NavItem:
    section: sections.Section
    url: str
    current: bool
    items: int = 0
    open_comments: int = 0
    missing: tuple = ()


def section_url(chapter, section, anchor=""):
    """The admin page of one section of ``chapter``."""
    url = reverse("admin:themes_chapter_change", args=[chapter.pk])
    return f"{url}?{urlencode({'sectie': section.key})}{anchor}"


def next_section(section):
    """The section after ``section`` in the printed order (``None`` after the last)."""
    index = sections.SECTIONS.index(section)
    return sections.SECTIONS[index + 1] if index + 1 < len(sections.SECTIONS) else None


def _count(part):
    rows = (
        part.model._default_manager.filter(**{part.chapter_path: OuterRef("pk")})
        .order_by()
        .values(part.chapter_path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _section_of_gap(gap):
    """The section where one of the dashboard's gaps (``#id_<field>`` or ``#<part>-group``) is fixed."""
    anchor = gap.url.partition("#")[2]
    if anchor.startswith("id_"):
        return sections.of_field(anchor[3:])
    part = parts.BY_KEY.get(anchor.removesuffix("-group"))
    return sections.of_part(part.model) if part else None


@functools.cache
def _counted():
    """The parts counted per section and their count subqueries, built once (annotating copies them)."""
    counted = tuple(part for part in parts.PARTS if sections.of_part(part.model) is not None)
    return counted, {f"n_{part.key}": _count(part) for part in counted}


def navigator(chapter, current):
    """The twelve sections of ``chapter`` with their counts, ``current`` marked. Two queries."""
    counted, subqueries = _counted()
    counts = (
        Chapter.objects.filter(pk=chapter.pk)
        .annotate(**subqueries)
        .values(*(f"n_{part.key}" for part in counted))
        .get()
    )
    comments = {}
    for content_type_id, n in (
        ReviewComment.objects.open()
        .filter(chapter=chapter, content_type__isnull=False)
        .order_by()
        .values_list("content_type")
        .annotate(n=Count("pk"))
    ):
        section = sections.of_part(ContentType.objects.get_for_id(content_type_id).model_class())
        if section is not None:
            comments[section.key] = comments.get(section.key, 0) + n
    for key in dashboard.COUNTED_PARTS:  # what the dashboard's readiness gaps read
        setattr(chapter, f"n_{key}", counts[f"n_{key}"])
    missing = {}
    for gap in dashboard._missing(chapter, {}, {}, {}, {}):
        section = _section_of_gap(gap)
        if section is not None:
            missing.setdefault(section.key, []).append(str(gap))
    return [
        NavItem(
            section,
            section_url(chapter, section),
            section == current,
            items=sum(counts[f"n_{part.key}"] for part in counted if part.model in section.parts),
            open_comments=comments.get(section.key, 0),
            missing=tuple(missing.get(section.key, ())),
        )
        for section in sections.SECTIONS
    ]


@dataclass
class CaribbeanPart:
    label: str
    kind: str
    territory: str
    url: str


def caribbean_parts(chapter):
    """The chapter's parts about Bonaire, Sint Eustatius and Saba, each linking to where it is edited. One query."""
    with_territory = [
        part
        for part in parts.PARTS
        if sections.of_part(part.model) is not None and "territory" in {f.name for f in part.model._meta.concrete_fields}
    ]
    queries = [
        part.model._default_manager.filter(**{part.chapter_path: chapter.pk})
        .exclude(territory__in=(Territory.NL, ""))
        .annotate(
            kib_part=Value(part.key, output_field=CharField()),
            kib_group=F("group_id") if part.model is DevelopmentItem else Value(None, output_field=IntegerField()),
            kib_label=F("description" if part.model is DataGap else "title"),
        )
        .values_list("kib_part", "pk", "kib_label", "territory", "kib_group")
        .order_by()
        for part in with_territory
    ]
    rows = queries[0].union(*queries[1:], all=True) if queries else []
    territories = dict(Territory.choices)
    found = []
    for key, _pk, title, territory, group_id in sorted(rows, key=lambda row: (row[0], row[1])):
        part = parts.BY_KEY[key]
        if group_id is not None:  # an item is edited on its group's page
            link = reverse("admin:themes_developmentgroup_change", args=[group_id])
        else:
            link = section_url(chapter, sections.of_part(part.model), f"#{key}-group")
        label = title or str(_("(zonder titel)"))
        found.append(CaribbeanPart(label, part.model._meta.verbose_name, territories.get(territory, territory), link))
    return found


def cited_sources(chapter):
    """The chapter's citations with their source, each with ``cited_in`` (the kind of part citing it) and
    ``section_url`` (where that part is edited). One query."""
    citations = list(
        Citation.objects.filter(chapter=chapter).select_related("source", "content_type").order_by("source__title", "pk")
    )
    for citation in citations:
        model = citation.content_type.model_class() if citation.content_type else None
        section = sections.of_part(model) if model else None
        citation.cited_in = model._meta.verbose_name if model else ""
        citation.section_url = section_url(chapter, section) if section else ""
    return citations
