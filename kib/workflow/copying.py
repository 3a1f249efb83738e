"""Copy a chapter into the next edition: same text, same links, state draft."""

from kib.workflow.signals import chapter_copied
from themes.models import Chapter


def _clone(obj, **changes):
    obj.pk = None
    obj._state.adding = True
    obj._state.fields_cache = {}
    obj._prefetched_objects_cache = {}
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    return obj


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
    mapping = {}

    def clone(obj, **changes):
        key = (type(obj), obj.pk)
        mapping[key] = _clone(obj, **changes)
        return mapping[key]

    def figure(obj):
        return mapping.get((type(obj.figure), obj.figure_id)) if obj.figure_id else None

    for fig in source.figures.all():
        clone(fig, chapter=copy)
    for related in ("chapter_recommendations", "definitions", "headline_values", "sections"):
        for obj in getattr(source, related).all():
            clone(obj, chapter=copy)
    for obj in [*source.key_figures.all(), *source.latest_developments.all()]:
        clone(obj, chapter=copy, figure=figure(obj))
    for group in source.development_groups.prefetch_related("recommendations", "items"):
        recommendations, items = list(group.recommendations.all()), list(group.items.all())
        new_group = clone(group, chapter=copy)
        new_group.recommendations.set(recommendations)
        for item in items:
            clone(item, group=new_group, figure=figure(item))

    def target(obj):
        if obj.content_type_id is None:
            return None
        new = mapping.get((obj.content_type.model_class(), obj.object_id))
        return new.pk if new is not None else None

    for obj in [*source.footnotes.select_related("content_type"), *source.citations.select_related("content_type")]:
        new_target = target(obj)
        clone(obj, chapter=copy, object_id=new_target, content_type=obj.content_type if new_target else None)
    chapter_copied.send(sender=Chapter, source=source, copy=copy, mapping=mapping)
    return copy
