"""Copy a chapter into the next edition: same text, same links, state draft.

The parts declared ``copied="chapter"`` in ``themes.parts`` are copied here, in three passes so
that whatever a part points at exists before it: plain parts (figures, groups…), then the
blocks that place a figure and the items of a group, then footnotes and citations, re-pointed
at the copy of the part they were attached to. ``chapter_copied`` then lets the indicators app
carry over what it keeps per chapter (charts, headline series, open data gaps).
"""

from django.contrib.contenttypes.models import ContentType

from kib.workflow.signals import chapter_copied
from themes import parts
from themes.models import Chapter, Figure
from themes.parts import PARTS


def _clone(obj, **changes):
    obj.pk = None
    obj._state.adding = True
    obj._state.fields_cache = {}
    obj._prefetched_objects_cache = {}
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    return obj


def _copy_pass(part):
    return (part.points_at_target, part.points_at_figure or part.parent_field != "chapter")


COPIED = sorted((part for part in PARTS if part.copied == "chapter"), key=_copy_pass)


def copy_chapter(chapter, edition, deadline=None):
    """Copy ``chapter`` with all its parts into ``edition``; returns the copy."""
    source = Chapter.objects.get(pk=chapter.pk)
    copy = _clone(
        Chapter.objects.get(pk=chapter.pk),
        edition=edition,
        state=Chapter.State.DRAFT,
        version=1,
        revised_by=None,
        deadline=deadline,
    )
    copy.contributing_organisations.set(source.contributing_organisations.all())
    mapping = {(Chapter, source.pk): copy}  # (model, old pk) -> copy

    for part in COPIED:
        many = [field.name for field in part.model._meta.many_to_many]
        for obj in parts.in_chapters(part, [source.pk]).prefetch_related(*many):
            parent = (part.parent or Chapter, getattr(obj, f"{part.parent_field}_id"))
            changes = {part.parent_field: mapping[parent], **{name: "" for name in part.reset_on_copy}}
            if part.points_at_figure:
                changes["figure"] = mapping.get((Figure, obj.figure_id)) if obj.figure_id else None
            if part.points_at_target:
                target = None
                if obj.content_type_id is not None:
                    target = mapping.get(
                        (ContentType.objects.get_for_id(obj.content_type_id).model_class(), obj.object_id)
                    )
                changes["object_id"] = target.pk if target is not None else None
                changes["content_type_id"] = obj.content_type_id if target is not None else None
            related = {name: list(getattr(obj, name).all()) for name in many}
            key = (part.model, obj.pk)
            mapping[key] = _clone(obj, **changes)
            for name, values in related.items():
                getattr(mapping[key], name).set(values)
    del mapping[(Chapter, source.pk)]
    chapter_copied.send(sender=Chapter, source=source, copy=copy, mapping=mapping)
    return copy
