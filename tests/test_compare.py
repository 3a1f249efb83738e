"""Compare everything: the version compare of a chapter covers its parts, keeps paragraphs,
prints dates the Dutch way, and restores the chapter with its parts to a moment.

The cast: the UNICEF editor writes chapter_a; the coordinator reviews; the Defence for
Children editor may not see chapter_a.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kib.workflow import services
from kib.workflow.diff import plain_text, word_diff
from kib.workflow.models import AuditEntry
from tests import factories as f
from tests.test_permissions import form_data
from themes import history
from themes.models import Chapter, Definition, Figure, LatestDevelopment

pytestmark = pytest.mark.django_db

DUTCH_DATE = re.compile(
    r"\b\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4} \d{2}:\d{2}\b"
)


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    chapter = cast.chapter_a
    chapter.summary = "<p>Eerste alinea.</p><p>Tweede alinea.</p>"
    chapter.save()
    cast.definition = Definition.objects.create(
        chapter=chapter, question="Wat is armoede?", body="<p>Een laag inkomen.</p>"
    )
    cast.latest = LatestDevelopment.objects.create(
        chapter=chapter,
        title="Nieuwe jeugdwet",
        body="<p>De wet gaat in 2025 in.</p><p>Daarna volgt een evaluatie.</p>",
    )
    cast.before = timezone.now()
    return cast


def compare(client, user, chapter, old, new="now"):
    client.force_login(user)
    url = reverse("admin:themes_chapter_history_compare", args=[chapter.pk])
    return client.get(url, {"old": old, "new": new})


def moment(when):
    return f"t:{when.isoformat()}"


def test_dates_and_yes_no_read_the_dutch_way():
    import datetime

    from django.utils import translation

    with translation.override("nl"):
        assert plain_text(Chapter._meta.get_field("deadline"), datetime.date(2027, 1, 1)) == "1 januari 2027"
        moment = datetime.datetime(2026, 12, 3, 13, 5, tzinfo=datetime.UTC)
        assert plain_text(Chapter._meta.get_field("updated_at"), moment) == "3 december 2026 14:05"  # Amsterdam
        assert plain_text(Figure._meta.get_field("printed_without_chart"), True) == "ja"


def test_plain_text_keeps_paragraphs_and_line_breaks():
    field = Chapter._meta.get_field("summary")
    assert plain_text(field, "<p>Een &amp; twee.</p><p>Drie<br>vier</p>") == "Een & twee.\n\nDrie\nvier"
    assert str(word_diff("a\n\nb", "a\n\nc")) == "a<br><br><del>b</del><ins>c</ins>"
    assert str(word_diff("", "<script>")) == "<ins>&lt;script&gt;</ins>"


def test_editors_fix_in_a_latest_development_shows_as_a_word_diff(client, cast):
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_chapter_change", args=[cast.chapter_a.pk]) + "?sectie=laatste"
    data = form_data(client.get(url))
    [body] = [key for key, value in data.items() if key.endswith("-body") and "2025" in str(value)]
    data[body] = "<p>De wet gaat in 2026 in.</p><p>Daarna volgt een evaluatie.</p>"
    assert client.post(url, data).status_code == 302
    latest_chapter_revision = Chapter.history.filter(id=cast.chapter_a.pk).latest("history_date")
    response = compare(client, cast.coordinator, cast.chapter_a, latest_chapter_revision.history_id)
    [change] = response.context["part_changes"]
    assert (change.kind, change.label) == ("changed", "Laatste ontwikkeling: Nieuwe jeugdwet")
    [row] = change.rows
    assert str(row["diff"]) == "De wet gaat in <del>2025</del><ins>2026</ins> in.<br><br>Daarna volgt een evaluatie."
    html = response.content.decode()
    assert "<del>2025</del><ins>2026</ins>" in html and "Laatste ontwikkeling: Nieuwe jeugdwet" in html


def test_added_and_removed_parts_are_listed(client, cast):
    cast.definition.delete()
    Figure.objects.create(chapter=cast.chapter_a, number=1, title="Kinderen in armoede")
    response = compare(client, cast.coordinator, cast.chapter_a, moment(cast.before))
    kinds = {(c.kind, c.label) for c in response.context["part_changes"]}
    assert kinds == {
        ("removed", "Definitie: Wat is armoede?"),
        ("added", "Figuur: Figuur 1. Kinderen in armoede"),
    }
    html = response.content.decode()
    assert "<del>Wat is armoede?</del>" in html and "<ins>Kinderen in armoede</ins>" in html


def test_chapter_text_keeps_its_paragraphs_in_the_compare(client, cast):
    first = Chapter.history.filter(id=cast.chapter_a.pk).latest("history_date")
    cast.chapter_a.summary = "<p>Eerste alinea.</p><p>Tweede, langere alinea.</p>"
    cast.chapter_a.save()
    response = compare(client, cast.coordinator, cast.chapter_a, first.history_id)
    [change] = response.context["changes"]
    assert str(change["diff"]) == "Eerste alinea.<br><br><del>Tweede</del><ins>Tweede, langere</ins> alinea."


def test_dates_are_printed_the_dutch_way(client, cast):
    client.force_login(cast.coordinator)
    history_page = client.get(reverse("admin:themes_chapter_history", args=[cast.chapter_a.pk])).content.decode()
    compare_page = compare(client, cast.coordinator, cast.chapter_a, moment(cast.before)).content.decode()
    for html in (history_page, compare_page):
        assert DUTCH_DATE.search(html), html[:2000]
    assert "December" not in compare_page


def test_history_page_offers_now_and_part_moments(client, cast):
    client.force_login(cast.coordinator)
    html = client.get(reverse("admin:themes_chapter_history", args=[cast.chapter_a.pk])).content.decode()
    assert 'name="new" value="now"' in html
    assert 'name="old" value="t:' in html  # a change to a part is a moment to compare


def test_restore_brings_back_a_deleted_part_and_the_old_text(client, cast):
    definition_pk = cast.definition.pk
    cast.definition.delete()
    cast.latest.body = "<p>Helemaal herschreven.</p>"
    cast.latest.save()
    Figure.objects.create(chapter=cast.chapter_a, number=1, title="Later toegevoegd")
    cast.chapter_a.summary = "<p>Andere samenvatting.</p>"
    cast.chapter_a.save()
    cast.chapter_a.refresh_from_db()
    version = cast.chapter_a.version
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_chapter_restore", args=[cast.chapter_a.pk])
    response = client.post(url, {"moment": cast.before.isoformat(), "seen_version": version}, follow=True)
    assert "weer zoals op" in response.content.decode()
    restored = Definition.objects.get(pk=definition_pk)
    assert (restored.question, restored.body) == ("Wat is armoede?", "<p>Een laag inkomen.</p>")
    cast.latest.refresh_from_db()
    assert cast.latest.body == "<p>De wet gaat in 2025 in.</p><p>Daarna volgt een evaluatie.</p>"
    assert not Figure.objects.filter(chapter=cast.chapter_a).exists()
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.summary == "<p>Eerste alinea.</p><p>Tweede alinea.</p>"
    assert (cast.chapter_a.version, cast.chapter_a.state) == (version + 1, Chapter.State.DRAFT)
    entry = AuditEntry.objects.for_object(cast.chapter_a).first()
    assert (entry.action, entry.user) == ("restore", cast.editor_a)
    assert DUTCH_DATE.search(entry.comment)
    # And the compare from then to now shows no difference in the parts any more.
    assert history.compare_parts(cast.chapter_a.pk, cast.before, timezone.now()) == []


def test_restore_is_refused_when_the_chapter_changed_since(client, cast):
    cast.latest.body = "<p>Nieuw.</p>"
    cast.latest.save()
    stale = cast.chapter_a.version
    services.record_revision(cast.chapter_a.pk, cast.coordinator)  # somebody saved in between
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_chapter_restore", args=[cast.chapter_a.pk])
    response = client.post(url, {"moment": cast.before.isoformat(), "seen_version": stale}, follow=True)
    assert "intussen opgeslagen" in response.content.decode()
    cast.latest.refresh_from_db()
    assert cast.latest.body == "<p>Nieuw.</p>"


def test_restore_is_refused_for_an_approved_chapter(client, cast):
    cast.latest.body = "<p>Nieuw.</p>"
    cast.latest.save()
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    cast.chapter_a.refresh_from_db()
    services.approve_chapter(cast.chapter_a, by=cast.coordinator, seen_version=cast.chapter_a.version)
    cast.chapter_a.refresh_from_db()
    page = compare(client, cast.coordinator, cast.chapter_a, moment(cast.before)).content.decode()
    assert 'id="restore-form"' not in page and "goedgekeurd" in page
    url = reverse("admin:themes_chapter_restore", args=[cast.chapter_a.pk])
    response = client.post(
        url, {"moment": cast.before.isoformat(), "seen_version": cast.chapter_a.version}, follow=True
    )
    assert "goedgekeurd; heropen het eerst" in response.content.decode()
    cast.latest.refresh_from_db()
    assert cast.latest.body == "<p>Nieuw.</p>"
    with pytest.raises(history.RestoreRefused):
        history.restore_chapter(cast.chapter_a, cast.before, cast.coordinator, cast.chapter_a.version)


def test_editor_cannot_restore_a_submitted_chapter(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    cast.chapter_a.refresh_from_db()
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_chapter_restore", args=[cast.chapter_a.pk])
    response = client.post(
        url, {"moment": cast.before.isoformat(), "seen_version": cast.chapter_a.version}, follow=True
    )
    assert "niet wijzigen" in response.content.decode()


def test_editor_of_another_organisation_cannot_compare_or_restore(client, cast):
    response = compare(client, cast.editor_b, cast.chapter_a, moment(cast.before))
    assert response.status_code == 404
    url = reverse("admin:themes_chapter_restore", args=[cast.chapter_a.pk])
    response = client.post(url, {"moment": cast.before.isoformat(), "seen_version": cast.chapter_a.version})
    assert response.status_code == 404
    assert Definition.objects.filter(pk=cast.definition.pk).exists()


def test_a_nonsense_moment_is_404(client, cast):
    assert compare(client, cast.coordinator, cast.chapter_a, "t:gisteren").status_code == 404


def test_compare_to_now_says_so(client, cast):
    html = compare(client, cast.coordinator, cast.chapter_a, moment(cast.before)).content.decode()
    assert "naar de huidige versie." in html


def test_restore_brings_back_a_deleted_group_with_its_items_and_recommendations(client, cast):
    from themes.models import DevelopmentGroup, DevelopmentItem

    recommendation = f.recommendation(code="33d", theme=cast.chapter_a.theme)
    group = DevelopmentGroup.objects.create(chapter=cast.chapter_a, kind="policy", title="Armoedebeleid")
    group.recommendations.set([recommendation])
    item = DevelopmentItem.objects.create(group=group, title="Kindgebonden budget", body="<p>Verhoogd.</p>")
    then, group_pk, item_pk = timezone.now(), group.pk, item.pk
    group.delete()  # and its item with it
    cast.chapter_a.refresh_from_db()
    history.restore_chapter(cast.chapter_a, then, cast.editor_a, cast.chapter_a.version)
    group = DevelopmentGroup.objects.get(pk=group_pk)
    assert list(group.recommendations.all()) == [recommendation]
    assert DevelopmentItem.objects.get(pk=item_pk).group == group


def test_restore_brings_back_a_figure_a_paragraph_points_at(client, cast):
    from themes.models import KeyFigureParagraph

    figure = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Meldingen")
    paragraph = KeyFigureParagraph.objects.create(
        chapter=cast.chapter_a, title="Meldingen", body="<p>x</p>", figure=figure
    )
    then, figure_pk = timezone.now(), figure.pk
    figure.delete()
    paragraph.refresh_from_db()
    assert paragraph.figure is None
    cast.chapter_a.refresh_from_db()
    history.restore_chapter(cast.chapter_a, then, cast.editor_a, cast.chapter_a.version)
    paragraph.refresh_from_db()
    assert paragraph.figure == Figure.objects.get(pk=figure_pk)
