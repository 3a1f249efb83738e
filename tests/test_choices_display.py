"""``kib.choices.ChoicesDisplay``: ``get_FOO_display()`` with the choices made once per field, the same as Django's."""

import pytest
from django.db import models
from django.utils import translation

from indicators.models import DataGap, Observation
from kib.choices import ChoicesDisplay
from themes.models import ChapterRecommendation, KeyFigureParagraph, LatestDevelopment


@pytest.mark.parametrize("model", [KeyFigureParagraph, LatestDevelopment, ChapterRecommendation, Observation, DataGap])
def test_every_label_is_djangos_in_the_language_shown(model):
    assert issubclass(model, ChoicesDisplay)
    fields = [field for field in model._meta.concrete_fields if field.choices]
    assert fields
    for language in ("nl", "en"):
        with translation.override(language):
            for field in fields:
                for value in [value for value, _label in field.flatchoices] + ["ONBEKEND"]:
                    instance = model(**{field.attname: value})
                    ours = getattr(instance, f"get_{field.name}_display")()
                    assert ours == models.Model._get_FIELD_display(instance, field)
                    assert type(ours) is str


def test_the_label_follows_the_active_language_after_the_other_was_shown():
    block = LatestDevelopment(territory="CN")
    with translation.override("nl"):
        assert block.get_territory_display() == "Caribisch Nederland"
    with translation.override("en"):
        assert block.get_territory_display() == "Caribbean Netherlands"
