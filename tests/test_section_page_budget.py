"""Every section page of every editor's chapter in the demo stays within 25 queries and 120 KB (issue 11, item 7).

The demo as ``make run`` shows it (2025 in preparation, the accounts in their roles); each editor (the
"redacteur" group) opens every section of every chapter they can see, with one client per editor. The largest
pages are Terre des Hommes' ``kengetallen`` (13 key-figure paragraphs, 5 figures) and Kinderpostzegels'
``laatste``.
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kib.demo.cycle import run_cycle
from kib.workflow import scoping
from tests.test_chapter_sections import cast, open_section  # noqa: F401 (the fixture)
from themes import sections
from themes.models import Figure, KeyFigureParagraph

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25
MAX_BYTES = 120_000


def test_every_section_page_of_every_editors_chapter_is_small_and_cheap(demo_db):
    run_cycle()
    editors = list(get_user_model().objects.filter(groups__name="redacteur", is_active=True).distinct())
    assert len(editors) >= 5
    measured = {}
    for editor in editors:
        client = Client()
        client.force_login(editor)
        chapters = list(scoping.visible_chapters(editor))
        assert chapters, editor.username
        for chapter in chapters:
            for section in sections.SECTIONS:
                url = reverse("admin:themes_chapter_change", args=[chapter.pk]) + f"?sectie={section.key}"
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                assert response.status_code == 200, (editor.username, chapter.pk, section.key)
                measured[editor.username, chapter.pk, section.key] = (len(queries), len(response.content))
    over = {key: value for key, value in measured.items() if value[0] > MAX_QUERIES or value[1] > MAX_BYTES}
    assert not over, over
    # The measurement reaches the pages that were over budget before (161 KB and 134 KB).
    largest = max(measured.items(), key=lambda item: item[1][1])
    assert largest[0][0] == "redacteur-terre-des-hommes" and largest[0][2] == "kengetallen", largest
    assert largest[1][1] > 100_000, largest


def test_a_key_figure_paragraph_chooses_its_figure_from_a_list_of_short_titles(client, cast):  # noqa: F811
    long_title = "Aantal bij CoMensha gemelde minderjarige slachtoffers van uitbuiting per vorm van mensenhandel"
    figure = Figure.objects.create(chapter=cast.chapter_a, number=1, title=long_title)
    KeyFigureParagraph.objects.create(chapter=cast.chapter_a, body="<p>Tekst</p>", figure=figure)
    KeyFigureParagraph.objects.create(chapter=cast.chapter_a, body="<p>Meer</p>")
    response = open_section(client, cast.editor_a, cast.chapter_a, "kengetallen")
    html = response.content.decode()
    # The figure is edited in this same section: no popup to edit, add, delete or view it a second time.
    assert "related-widget-wrapper" not in html
    assert "change_id_key_figures-0-figure" not in html
    assert f'<option value="{figure.pk}" selected>Figuur 1. Aantal bij CoMensha gemelde minderjarig…</option>' in html
    assert long_title in html  # in full where the figure itself is edited
    # A part that cites nothing has no row for removing sources, nor its help.
    assert "Aanvinken en opslaan haalt de bron hier weg." not in html
