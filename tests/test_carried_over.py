"""Texts carried over from last year: recorded per chapter and part, "overgenomen" until changed or confirmed.

The cast: the coordinator starts next year's edition; the editor of UNICEF confirms or changes
the texts of chapter A; the editor of Defence for Children may not touch chapter A.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kib.models import Edition
from kib.workflow import services
from kib.workflow.models import AuditEntry, CarriedOver
from tests import factories as f
from themes.models import Chapter, Definition, Footnote, LatestDevelopment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast(year=2024)


@pytest.fixture
def next_year(cast):
    """2024 published with a definition, a latest development and a footnote in chapter A; 2025 started."""
    Definition.objects.create(chapter=cast.chapter_a, question="Wat is armoede?", body="<p>Weinig geld.</p>")
    LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Nieuwe wet", body="<p>Aangenomen.</p>")
    Footnote.objects.create(chapter=cast.chapter_a, text="Voorlopige cijfers.")
    Edition.objects.filter(pk=cast.edition.pk).update(introduction="<p>Deze editie gaat over 2023–2024.</p>")
    f.publish(cast.edition, by=cast.coordinator)
    new = services.start_next_edition(cast.edition, by=cast.coordinator)
    return new, new.chapters.get(theme=cast.chapter_a.theme)


def test_starting_the_next_edition_records_each_text_carried_over_per_chapter_and_part(cast, next_year):
    new, chapter = next_year
    kinds = sorted(CarriedOver.objects.filter(chapter=chapter).values_list("content_type__model", flat=True))
    assert kinds == ["chapter", "definition", "footnote", "latestdevelopment"]
    latest = chapter.latest_developments.get()
    record = CarriedOver.objects.get(
        content_type=ContentType.objects.get_for_model(LatestDevelopment), object_id=latest.pk
    )
    old = cast.chapter_a.latest_developments.get()
    assert (record.edition, record.chapter, record.source_object_id, record.is_open) == (new, chapter, old.pk, True)
    assert list(CarriedOver.objects.filter(edition=new, chapter=None).values_list("field", flat=True)) == [
        "introduction"
    ]


def test_saving_a_text_unchanged_keeps_it_overgenomen_and_changing_it_does_not(next_year):
    _new, chapter = next_year
    definition = chapter.definitions.get()
    definition.save()  # the admin saves a form without change like this
    record = CarriedOver.objects.get(object_id=definition.pk, content_type__model="definition")
    assert record.is_open
    definition.body = "<p>Minder geld dan nodig voor de basis.</p>"
    definition.save()
    record.refresh_from_db()
    assert record.changed_at is not None and not record.is_open


def test_a_chapter_saved_with_its_own_texts_unchanged_stays_overgenomen(next_year):
    _new, chapter = next_year
    Chapter.objects.get(pk=chapter.pk).save()
    assert CarriedOver.objects.get(content_type__model="chapter", object_id=chapter.pk).is_open
    chapter.summary = "<p>Nieuw dit jaar.</p>"
    chapter.save()
    assert not CarriedOver.objects.get(content_type__model="chapter", object_id=chapter.pk).is_open


def test_a_part_deleted_leaves_no_record_behind(next_year):
    _new, chapter = next_year
    footnote = chapter.footnotes.get()
    footnote.delete()
    assert not CarriedOver.objects.filter(content_type__model="footnote", object_id=footnote.pk).exists()


def test_the_editor_confirms_texts_on_the_chapters_page(client, cast, next_year):
    _new, chapter = next_year
    client.force_login(cast.editor_a)
    url = reverse("admin:workflow_carried_over", args=[chapter.pk])
    page = client.get(url).content.decode()
    assert "Nieuwe wet" in page and "Aangenomen." in page and "overgenomen" in page
    definition = CarriedOver.objects.get(chapter=chapter, content_type__model="definition")
    response = client.post(url, {"confirm": [str(definition.pk)]})
    assert response.status_code == 302
    definition.refresh_from_db()
    assert definition.confirmed_by == cast.editor_a and not definition.is_open
    assert CarriedOver.objects.filter(chapter=chapter).unconfirmed().count() == 3
    assert AuditEntry.objects.for_object(chapter).filter(action="confirm_carried_over").count() == 1
    client.post(url, {"all": "1"})
    assert not CarriedOver.objects.filter(chapter=chapter).unconfirmed().exists()


def test_editor_cannot_confirm_another_organisations_chapter(client, cast, next_year):
    _new, chapter = next_year
    client.force_login(cast.editor_b)
    assert client.get(reverse("admin:workflow_carried_over", args=[chapter.pk])).status_code == 404
    with pytest.raises(services.WorkflowError):
        services.confirm_carried_over(list(CarriedOver.objects.filter(chapter=chapter)), cast.editor_b, chapter=chapter)
    assert CarriedOver.objects.filter(chapter=chapter).unconfirmed().count() == 4


def test_a_submitted_chapter_is_not_confirmed_by_its_editor(cast, next_year):
    _new, chapter = next_year
    services.submit_chapter(chapter, by=cast.editor_a)
    with pytest.raises(services.WorkflowError, match="niet wijzigen"):
        services.confirm_carried_over(list(CarriedOver.objects.filter(chapter=chapter)), cast.editor_a, chapter=chapter)
    assert CarriedOver.objects.filter(chapter=chapter).unconfirmed().count() == 4


def test_the_coordinator_confirms_the_edition_texts(client, cast, next_year):
    new, _chapter = next_year
    client.force_login(cast.coordinator)
    edition_page = client.get(reverse("admin:kib_edition_change", args=[new.pk])).content.decode()
    assert 'id="edition-carried-over"' in edition_page
    url = reverse("admin:workflow_edition_carried_over", args=[new.pk])
    assert "2023–2024" in client.get(url).content.decode()
    client.post(url, {"all": "1"})
    assert not CarriedOver.objects.filter(edition=new, chapter=None).unconfirmed().exists()
    client.force_login(cast.editor_a)
    assert client.get(url).status_code == 403


def test_a_submitted_chapters_page_offers_no_confirmation(client, cast, next_year):
    _new, chapter = next_year
    services.submit_chapter(chapter, by=cast.editor_a)
    client.force_login(cast.editor_a)
    html = client.get(reverse("admin:workflow_carried_over", args=[chapter.pk])).content.decode()
    assert 'id="cannot-confirm"' in html and 'name="confirm"' not in html
