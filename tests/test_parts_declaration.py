"""The one declaration of a chapter's parts (``themes.parts``) holds every model that hangs off a chapter."""

from django.apps import apps

from kib.workflow import roles
from themes import admin as themes_admin
from themes import copying, layout, parts
from themes.models import Chapter, Citation, Footnote


def _paths_to_chapter(model, seen=()):
    """The lookups by which ``model`` reaches ``Chapter`` through foreign keys (``chapter``, ``group__chapter``…)."""
    found = []
    for field in model._meta.concrete_fields:
        if not (field.many_to_one or field.one_to_one) or field.remote_field.model in seen:
            continue
        target = field.remote_field.model
        if target is Chapter:
            found.append(field.name)
        elif target._meta.app_label in ("themes", "indicators") and target is not model:
            found += [f"{field.name}__{rest}" for rest in _paths_to_chapter(target, (*seen, model))]
    return found


def _part_models():
    """Every model of the chapter's apps with a foreign-key path to Chapter (history tables aside)."""
    return {
        model: paths
        for app in ("themes", "indicators")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical") and (paths := _paths_to_chapter(model))
    }


def test_every_model_hanging_off_a_chapter_is_declared():
    found = _part_models()
    missing = sorted(model.__name__ for model in found if model not in parts.BY_MODEL)
    assert not missing, f"not in themes.parts.PARTS: {missing}"
    assert len(found) == len(parts.PARTS) == 15


def test_the_declared_path_is_how_the_model_reaches_its_chapter():
    for model, paths in _part_models().items():
        assert parts.chapter_path(model) in paths, model


def test_the_readers_follow_the_declaration():
    themes_parts = {p.model._meta.model_name for p in parts.PARTS if p.model._meta.app_label == "themes"}
    assert set(roles.CHAPTER_PARTS["themes"]) == themes_parts
    assert set(roles.CHAPTER_PARTS["indicators"]) == {"datagap", "chart", "figureseries", "headlineseries"}
    assert [p.key for p in layout.PART_TABLES] == [p.key for p in parts.PARTS if p.small_table]
    assert [p.model for p in copying.COPIED][-2:] == [Footnote, Citation]  # after what they point at
    inlines = [inline.model for inline in themes_admin.ChapterAdmin.inlines]
    assert inlines == [p.model for p in parts.PARTS if p.on_chapter_page]
