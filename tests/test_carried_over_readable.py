"""The carried-over texts page shows each text as the editor knows it: choices by their label,
no raw codes ("two_periods", "NL") and no "True"/"False" for a ticked box."""

import pytest
from django.urls import reverse

from kib.workflow import services
from tests import factories as f
from themes.models import Figure, LatestDevelopment

pytestmark = pytest.mark.django_db


def test_the_carried_over_page_shows_labels_not_codes(client):
    cast = f.workflow_cast(year=2024)
    cast.chapter_a.headline_kind = "two_periods"
    cast.chapter_a.save()
    LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Nieuwe wet", territory="BON", body="<p>Aangenomen.</p>")
    Figure.objects.create(chapter=cast.chapter_a, number=1, title="Zonder cijfers", printed_without_chart=True, no_chart_note="Geen cijfers.")
    f.publish(cast.edition, by=cast.coordinator)
    new = services.start_next_edition(cast.edition, by=cast.coordinator)
    chapter = new.chapters.get(theme=cast.chapter_a.theme)
    client.force_login(cast.editor_a)
    page = client.get(reverse("admin:workflow_carried_over", args=[chapter.pk])).content.decode()
    table = page.split('id="carried-over"')[1].split("</table>")[0]
    assert "twee jaren vergeleken" in table and "two_periods" not in table
    assert "Bonaire" in table and "· BON ·" not in table
    assert "gedrukt zonder grafiek" in table and "True" not in table and "False" not in table
    assert "Aangenomen." in table and "&lt;p&gt;" not in table and "<p>Aangenomen" not in table
