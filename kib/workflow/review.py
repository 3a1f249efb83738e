"""Review comments beside the text: the section of the chapter a comment stands in.

A comment is written in a section of the chapter's page (``themes.sections``), about that
section as a whole or about one of its parts, optionally quoting a passage. Its section is
the one it was written in; an older comment without one stands where the part it is about
is edited; a comment about the whole chapter (the one sent along when changes are
requested) has no section and shows in every section.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.text import capfirst

from themes import parts, sections
from themes.parts import PARTS


def target_key(obj):
    """How a form names a part: ``"themes.latestdevelopment:12"``."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def target_label(obj):
    """A part as an editor reads it: "Laatste ontwikkeling: Wet kindermishandeling"."""
    return f"{capfirst(obj._meta.verbose_name)}: {obj}"[:120]


def targets(chapter, section=None):
    """The parts a comment can point at (``commented`` in ``themes.parts``), as (key, label, object),
    in the printed order; with ``section``, only the parts edited in that section."""
    return [
        (target_key(obj), target_label(obj), obj)
        for part in PARTS
        if part.commented and (section is None or part.model in section.parts)
        for obj in parts.in_chapters(part, [chapter.pk]).select_related(*part.select_with_label)
    ]


def part_anchor(comment, section):
    """Where the part a thread is about stands on the page of ``section`` (``onderdeel-<part key>-<id>``; the
    page's ``sections.js`` opens that folded part and scrolls to it), or ``""`` when it is not on that page."""
    if not comment.content_type_id or not comment.object_id:
        return ""
    model = ContentType.objects.get_for_id(comment.content_type_id).model_class()
    part = parts.BY_MODEL.get(model)
    if part is None or not part.on_chapter_page or model not in section.parts:
        return ""
    return f"onderdeel-{part.key}-{comment.object_id}"


def section_of(comment):
    """The section a thread stands in, or ``None`` when it is about the whole chapter."""
    return _section(comment.section, comment.content_type_id)


def _section(key, content_type_id):
    if key in sections.BY_KEY:
        return sections.BY_KEY[key]
    if content_type_id:
        return sections.of_part(ContentType.objects.get_for_id(content_type_id).model_class())
    return None


def url(comment):
    """The comment on the chapter's page, in its section (a whole-chapter comment: the first section)."""
    return _url(comment.chapter_id, comment.pk, comment.section, comment.content_type_id)


def _url(chapter_id, pk, key, content_type_id):
    section = _section(key, content_type_id) or sections.DEFAULT
    base = reverse("admin:themes_chapter_change", args=[chapter_id])
    return f"{base}?sectie={section.key}#comment-{pk}"


def first_open_annotations():
    """Annotations for a chapter queryset: its oldest open thread (``first_open_*``), in the same query."""
    from django.db.models import OuterRef, Subquery

    from kib.workflow.models import ReviewComment

    first = ReviewComment.objects.open().filter(chapter=OuterRef("pk")).order_by("created_at", "pk")
    return {
        f"first_open_{name}": Subquery(first.values(name)[:1])
        for name in ("pk", "section", "content_type_id", "target_repr", "text")
    }


def first_open_url(chapter):
    """The link to a chapter row's oldest open thread (``first_open_annotations``), or ``None``."""
    if chapter.first_open_pk is None:
        return None
    return _url(chapter.pk, chapter.first_open_pk, chapter.first_open_section, chapter.first_open_content_type_id)


def in_section(comments, section):
    """``comments`` (threads) split into those of ``section`` and those about the whole chapter."""
    own, whole = [], []
    for comment in comments:
        where = section_of(comment)
        if where is None:
            whole.append(comment)
        elif where.key == section.key:
            own.append(comment)
    return own, whole


def open_per_section(comments):
    """Open threads per section key (``None``: about the whole chapter), for a navigator or a bar."""
    counts = {}
    for comment in comments:
        if not comment.is_resolved:
            where = section_of(comment)
            counts[where.key if where else None] = counts.get(where.key if where else None, 0) + 1
    return counts
