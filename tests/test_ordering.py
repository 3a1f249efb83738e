"""Ordering a chapter's parts: the hidden ``position`` fields the page posts are stored, print follows them.

Cast: the editor of UNICEF, who leads ``chapter_a`` (a draft) and may reorder its parts; the
same editor once the chapter is submitted (read-only: no order fields, nothing moves); a
coordinator on an approved chapter (read-only too).
"""

import pytest
from django.urls import reverse

from kib.workflow import services
from tests import factories as f
from tests.test_permissions import form_data
from themes.layout import ChapterLayout
from themes.models import Chapter, DevelopmentGroup, DevelopmentItem, LatestDevelopment

pytestmark = pytest.mark.django_db


def change_url(chapter, section="laatste"):
    """The chapter's section page holding the parts a test changes (latest developments unless said)."""
    return reverse("admin:themes_chapter_change", args=[chapter.pk]) + f"?sectie={section}"


def latest(chapter, *titles):
    return [LatestDevelopment.objects.create(chapter=chapter, position=i + 1, title=t) for i, t in enumerate(titles)]


def order_fields(data, prefix):
    """The posted order fields of one inline: {form index: field name}, by the row's id."""
    return {data[f"{prefix}-{i}-id"]: f"{prefix}-{i}-position" for i in range(int(data[f"{prefix}-TOTAL_FORMS"]))}


def test_the_order_field_is_hidden_and_the_inline_is_sortable(client):
    cast = f.workflow_cast()
    latest(cast.chapter_a, "Eerste", "Tweede")
    client.force_login(cast.editor_a)
    response = client.get(change_url(cast.chapter_a))
    html = response.content.decode()
    assert 'type="hidden" name="latest_developments-0-position"' in html
    assert 'class="_reorder_"' in html
    assert "sortable" in next(i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "latest_developments").classes
    assert "adminsortable2/js/adminsortable2" in html and "kib/ordering.js" in html and "kib/ordering.css" in html
    assert 'name="latest_developments-0-position" type="number"' not in html


def test_editor_reorders_latest_developments_and_print_follows(client):
    cast = f.workflow_cast()
    first, second, third = latest(cast.chapter_a, "Eerste", "Tweede", "Derde")
    client.force_login(cast.editor_a)
    data = form_data(client.get(change_url(cast.chapter_a)))
    fields = order_fields(data, "latest_developments")
    # What the page posts after the third row was dragged to the top: the rows renumbered 1, 2, 3.
    data[fields[str(third.pk)]], data[fields[str(first.pk)]], data[fields[str(second.pk)]] = "1", "2", "3"
    response = client.post(change_url(cast.chapter_a), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    printed = ChapterLayout(Chapter.objects.get(pk=cast.chapter_a.pk)).latest_developments
    assert [block.title for block in printed] == ["Derde", "Eerste", "Tweede"]


def test_a_new_row_is_placed_after_the_others(client):
    cast = f.workflow_cast()
    latest(cast.chapter_a, "Eerste", "Tweede")
    client.force_login(cast.editor_a)
    data = form_data(client.get(change_url(cast.chapter_a)))
    data["latest_developments-TOTAL_FORMS"] = "3"
    data.update({"latest_developments-2-title": "Nieuw", "latest_developments-2-territory": "NL", "latest_developments-2-position": "0"})
    assert client.post(change_url(cast.chapter_a), data).status_code == 302
    assert list(cast.chapter_a.latest_developments.values_list("title", flat=True)) == ["Eerste", "Tweede", "Nieuw"]


def test_groups_are_ordered_by_position_within_their_kind(client):
    cast = f.workflow_cast()
    rec = f.recommendation()
    groups = []
    for i, title in enumerate(["A", "B"]):
        group = DevelopmentGroup.objects.create(chapter=cast.chapter_a, kind="policy", title=title, position=i + 1)
        group.recommendations.set([rec])
        groups.append(group)
    client.force_login(cast.editor_a)
    data = form_data(client.get(change_url(cast.chapter_a, "ontwikkelingen")))
    fields = order_fields(data, "development_groups")
    data[fields[str(groups[0].pk)]], data[fields[str(groups[1].pk)]] = "2", "1"
    assert client.post(change_url(cast.chapter_a, "ontwikkelingen"), data).status_code == 302
    printed = ChapterLayout(Chapter.objects.get(pk=cast.chapter_a.pk)).policy_groups
    assert [group.title for group in printed] == ["B", "A"]


def test_items_are_reordered_on_their_groups_page(client):
    cast = f.workflow_cast()
    group = DevelopmentGroup.objects.create(chapter=cast.chapter_a, kind="numerical", title="Groep")
    group.recommendations.set([f.recommendation()])
    one = DevelopmentItem.objects.create(group=group, position=1, title="Een")
    two = DevelopmentItem.objects.create(group=group, position=2, title="Twee")
    url = reverse("admin:themes_developmentgroup_change", args=[group.pk])
    client.force_login(cast.editor_a)
    response = client.get(url)
    assert 'type="hidden" name="items-0-position"' in response.content.decode()
    data = form_data(response)
    fields = order_fields(data, "items")
    data[fields[str(one.pk)]], data[fields[str(two.pk)]] = "2", "1"
    assert client.post(url, data).status_code == 302
    printed = ChapterLayout(Chapter.objects.get(pk=cast.chapter_a.pk)).numerical_groups[0].printed_items
    assert [item.title for item in printed] == ["Twee", "Een"]


def test_a_submitted_chapter_offers_no_order_to_change_and_keeps_it(client):
    cast = f.workflow_cast()
    first, second = latest(cast.chapter_a, "Eerste", "Tweede")
    client.force_login(cast.editor_a)
    data = form_data(client.get(change_url(cast.chapter_a)))
    fields = order_fields(data, "latest_developments")
    services.submit_chapter(Chapter.objects.get(pk=cast.chapter_a.pk), by=cast.editor_a)
    html = client.get(change_url(cast.chapter_a)).content.decode()
    assert "latest_developments-0-position" not in html and "Volgorde" not in html
    data[fields[str(first.pk)]], data[fields[str(second.pk)]] = "2", "1"
    client.post(change_url(cast.chapter_a), data)
    assert list(cast.chapter_a.latest_developments.values_list("title", flat=True)) == ["Eerste", "Tweede"]


def test_an_approved_chapter_is_not_reordered_by_a_coordinator(client):
    cast = f.workflow_cast()
    chapter = Chapter.objects.get(pk=cast.chapter_b.pk)
    first, second = latest(chapter, "Eerste", "Tweede")
    client.force_login(cast.coordinator)
    data = form_data(client.get(change_url(chapter)))
    fields = order_fields(data, "latest_developments")
    services.submit_chapter(chapter, by=cast.editor_b)
    approved = Chapter.objects.get(pk=chapter.pk)
    services.approve_chapter(approved, by=cast.coordinator, seen_version=approved.version)
    html = client.get(change_url(chapter)).content.decode()
    assert "latest_developments-0-position" not in html
    data[fields[str(first.pk)]], data[fields[str(second.pk)]] = "2", "1"
    client.post(change_url(chapter), data)
    assert list(chapter.latest_developments.values_list("title", flat=True)) == ["Eerste", "Tweede"]


def test_a_published_editions_chapter_offers_no_order_to_change(client):
    from kib.models import Edition

    cast = f.workflow_cast()
    published = f.edition(2024, state=Edition.State.PUBLISHED)
    chapter = f.chapter(edition=published, lead_organisation=cast.unicef)
    latest(chapter, "Eerste", "Tweede")
    client.force_login(cast.coordinator)
    html = client.get(change_url(chapter)).content.decode()
    assert "Eerste" in html and "latest_developments-0-position" not in html and "kib-move" not in html
