"""Approving over open comments: the second step shows what the editor answered to each.

Without the answers a coordinator approving over an open comment cannot tell a comment nobody
looked at from one the editor answered ("Aangepast: …") but did not close.
"""

import pytest
from django.urls import reverse

from kib.workflow import services
from tests import factories as f
from themes.models import LatestDevelopment

pytestmark = pytest.mark.django_db


def test_the_approve_confirmation_lists_the_answers_to_each_open_comment(client):
    cast = f.workflow_cast()
    latest = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Wet kindermishandeling", body="<p>x</p>")
    comment = services.add_comment(cast.chapter_a, cast.coordinator, "Klopt de datum nog?", target=latest)
    services.add_comment(cast.chapter_a, cast.editor_a, "Aangepast: 1 juli 2026.", parent=comment)
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    cast.chapter_a.refresh_from_db()
    client.force_login(cast.coordinator_2)
    url = reverse("admin:themes_chapter_workflow", args=[cast.chapter_a.pk, "approve"])
    html = client.post(url, {"seen_version": cast.chapter_a.version}).content.decode()
    assert "Goedkeuren ondanks 1 open opmerking" in html
    listed = html.split('id="approve-open-comments"')[1].split("</ul>")[0]
    assert "Klopt de datum nog?" in listed and "Aangepast: 1 juli 2026." in listed
