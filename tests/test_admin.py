"""The admin holds every part of the report, in printed order, and refuses bad input with a form error."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from recommendations.models import Recommendation
from tests import factories as f
from themes.models import Chapter

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(f.user(is_superuser=True))
    return client


def test_every_registered_model_has_a_working_changelist(superuser_client, demo_db):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = superuser_client.get(url)
        assert response.status_code == 200, url


def test_chapter_page_shows_the_sections_in_printed_order(superuser_client, demo_db):
    chapter = Chapter.objects.get(edition__year=2024, theme__number=3)
    from themes.sections import SECTIONS

    html = ""
    for section in SECTIONS:  # one page per section, walked in the navigator's order
        response = superuser_client.get(reverse("admin:themes_chapter_change", args=[chapter.pk]) + f"?sectie={section.key}")
        assert response.status_code == 200
        page = response.content.decode()
        html += page[page.index('id="content-main"') : page.index('id="review-comments"')]
    headings = [" ".join(h.split()) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]
    printed_order = [
        "Focus",
        "Definities",
        "Kerncijfer",
        "Zo staat het ervoor",
        "Kengetallen",
        "Figuren",
        "Aanbevelingen VN-Kinderrechtencomité",
        "Cijfermatige ontwikkelingen en beleidsbeschrijvingen",
        "Laatste ontwikkelingen",
        "Voetnoten",
    ]
    positions = [next(i for i, h in enumerate(headings) if h.startswith(label)) for label in printed_order]
    assert positions == sorted(positions), headings
    assert "Figuur 6" in html or "Aantal meldingen van kindermishandeling op Bonaire" in html


def test_chapter_changelist_does_not_query_per_row(superuser_client, demo_db, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = superuser_client.get(reverse("admin:themes_chapter_changelist"))
    assert response.status_code == 200


def test_duplicate_recommendation_code_is_a_form_error(superuser_client):
    rec = f.recommendation("15b")
    response = superuser_client.post(
        reverse("admin:recommendations_recommendation_add"),
        {"concluding_observations": rec.concluding_observations_id, "code": "15b", "text": "<p>Nog eens</p>"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Recommendation.objects.filter(code="15b").count() == 1


def test_malformed_code_is_a_form_error(superuser_client):
    co = f.concluding_observations()
    response = superuser_client.post(
        reverse("admin:recommendations_recommendation_add"),
        {"concluding_observations": co.pk, "code": "15 b", "text": "<p>x</p>"},
    )
    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert not Recommendation.objects.exists()
