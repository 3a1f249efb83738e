"""A section's save checks each posted choice of its rows (a recommendation, a figure) against what the field
offers, read once for all rows (``themes.inline_choices``), not one query per row; what may be chosen is the same:
an unknown or not offered choice is refused with the form's error, and nothing is saved."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.test_chapter_sections import cast, open_section, url  # noqa: F401 (the fixture)
from tests.test_permissions import form_data
from themes.models import ChapterRecommendation

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(cast):  # noqa: F811
    recommendations = [f.recommendation(code=f"{n}a") for n in range(1, 6)]
    for position, recommendation in enumerate(recommendations, start=1):
        ChapterRecommendation.objects.create(chapter=cast.chapter_a, recommendation=recommendation, position=position)
    return recommendations


def recommendation_formset(response):
    return next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is ChapterRecommendation)


def prefix_of(data, row):
    return next(k for k, v in data.items() if k.endswith("-id") and v == str(row.pk))[: -len("-id")]


def test_saving_recommendations_reads_no_recommendation_one_by_one(client, cast, rows):  # noqa: F811
    data = form_data(open_section(client, cast.editor_a, cast.chapter_a, "aanbevelingen"))
    first = ChapterRecommendation.objects.get(chapter=cast.chapter_a, recommendation=rows[0])
    data[f"{prefix_of(data, first)}-movement"] = "no_change"
    data[f"{prefix_of(data, first)}-movement_reasoning"] = "Geen beweging"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url(cast.chapter_a, "aanbevelingen"), data)
    assert response.status_code == 302, [form.errors for form in recommendation_formset(response).forms]
    one_by_one = [
        q["sql"]
        for q in queries
        if re.search(r'^SELECT "recommendations_recommendation"\."id".*"recommendations_recommendation"\."id" = \d+', q["sql"])
    ]
    assert one_by_one == []
    first.refresh_from_db()
    assert first.movement_reasoning == "Geen beweging"


def test_another_recommendation_chosen_in_a_row_is_still_looked_up_and_saved(client, cast, rows):  # noqa: F811
    other = f.recommendation(code="9z")
    data = form_data(open_section(client, cast.editor_a, cast.chapter_a, "aanbevelingen"))
    first = ChapterRecommendation.objects.get(chapter=cast.chapter_a, recommendation=rows[0])
    data[f"{prefix_of(data, first)}-recommendation"] = str(other.pk)
    assert client.post(url(cast.chapter_a, "aanbevelingen"), data).status_code == 302
    first.refresh_from_db()
    assert first.recommendation == other


def test_an_unknown_recommendation_is_refused_and_nothing_is_saved(client, cast, rows):  # noqa: F811
    data = form_data(open_section(client, cast.editor_a, cast.chapter_a, "aanbevelingen"))
    first = ChapterRecommendation.objects.get(chapter=cast.chapter_a, recommendation=rows[0])
    second = ChapterRecommendation.objects.get(chapter=cast.chapter_a, recommendation=rows[1])
    data[f"{prefix_of(data, first)}-recommendation"] = "999999"
    data[f"{prefix_of(data, second)}-movement"] = "progress"
    data[f"{prefix_of(data, second)}-movement_reasoning"] = "Wel beweging"
    response = client.post(url(cast.chapter_a, "aanbevelingen"), data)
    assert response.status_code == 200
    errors = [form.errors for form in recommendation_formset(response).forms if form.errors]
    assert len(errors) == 1 and "recommendation" in errors[0]
    assert "Selecteer een geldige keuze" in str(errors[0]["recommendation"])
    first.refresh_from_db(), second.refresh_from_db()
    assert first.recommendation == rows[0] and second.movement_reasoning == "" and second.movement == ""
    assert "Wel beweging" in response.content.decode()  # the user's text comes back


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_a_malformed_recommendation_is_a_form_error_not_a_crash(client, cast, rows, value):  # noqa: F811
    data = form_data(open_section(client, cast.editor_a, cast.chapter_a, "aanbevelingen"))
    first = ChapterRecommendation.objects.get(chapter=cast.chapter_a, recommendation=rows[0])
    data[f"{prefix_of(data, first)}-recommendation"] = value
    response = client.post(url(cast.chapter_a, "aanbevelingen"), data)
    assert response.status_code == 200
    errors = [form.errors for form in recommendation_formset(response).forms if form.errors]
    assert len(errors) == 1 and "Selecteer een geldige keuze" in str(errors[0]["recommendation"])
    first.refresh_from_db()
    assert first.recommendation == rows[0]
