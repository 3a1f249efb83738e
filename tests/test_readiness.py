"""The readiness check before publishing: one test per rule, and publishing enforcing it.

The cast: a coordinator (publishes), the editor of UNICEF (writes chapter A), the editor of
Defence for Children (writes chapter B). Each rule test starts from an edition that passes
every rule, breaks exactly one thing, and sees that rule (and only that one) report it.
"""

import datetime

import pytest
from django.urls import reverse

from indicators.models import Chart, FigureSeries
from kib.models import Edition
from kib.workflow import readiness, services
from kib.workflow.models import AuditEntry, CarriedOver
from tests import factories as f
from themes.models import Chapter, Figure, LatestDevelopment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


def approve(chapter, editor, coordinator):
    services.submit_chapter(chapter, by=editor)
    chapter.refresh_from_db()
    services.approve_chapter(chapter, by=coordinator, seen_version=chapter.version)
    chapter.refresh_from_db()


def ready(cast):
    """Both chapters approved: the edition passes every rule."""
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    approve(cast.chapter_b, cast.editor_b, cast.coordinator)
    assert readiness.check(cast.edition) == []


def rules(edition):
    return [(p.rule, p.blocking) for p in readiness.check(edition)]


def drawn_figure(chapter, number=1):
    figure = Figure.objects.create(chapter=chapter, number=number, title="Armoede", source_line="CBS")
    indicator = f.indicator(theme=chapter.theme)
    f.observation(indicator, period="2023", value="6")
    FigureSeries.objects.create(chart=Chart.objects.create(figure=figure), indicator=indicator)
    return figure


# -- each rule ----------------------------------------------------------------------------


def test_a_chapter_not_approved_blocks(cast):
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    problems = readiness.check(cast.edition)
    assert [(p.rule, p.blocking, p.chapter_id) for p in problems] == [("approval", True, cast.chapter_b.pk)]
    assert problems[0].url == reverse("admin:themes_chapter_change", args=[cast.chapter_b.pk])


def test_a_figure_without_data_is_a_warning_linked_to_the_figure(cast):
    ready(cast)
    drawn_figure(cast.chapter_a, 1)
    empty = Figure.objects.create(chapter=cast.chapter_a, number=2, title="Nog niet gemeten", source_line="CBS")
    problems = readiness.check(cast.edition)
    assert [(p.rule, p.blocking) for p in problems] == [("figures", False)]
    assert "Figuur 2" in problems[0].message
    assert problems[0].url == reverse("admin:themes_figure_change", args=[empty.pk])


def test_a_figure_printed_without_a_chart_needs_its_note(cast):
    ready(cast)
    figure = Figure.objects.create(
        chapter=cast.chapter_a, number=1, title="Nog niet gemeten", printed_without_chart=True
    )
    assert rules(cast.edition) == [("figures", False)]
    assert "zonder toelichting" in str(readiness.check(cast.edition)[0])
    figure.no_chart_note = "Er zijn geen landelijke cijfers over dit onderwerp."
    figure.save()
    assert rules(cast.edition) == []


def test_open_review_comments_are_a_warning(cast):
    ready(cast)
    comment = services.add_comment(cast.chapter_b, cast.coordinator, "Klopt dit cijfer nog?")
    problems = readiness.check(cast.edition)
    assert [(p.rule, p.chapter_id) for p in problems] == [("comments", cast.chapter_b.pk)]
    assert problems[0].url.endswith("#review-comments")
    services.resolve_comment(comment, cast.coordinator)
    assert rules(cast.edition) == []


def test_texts_carried_over_count_until_changed_or_confirmed(cast):
    old = cast.edition
    LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Nieuwe wet", body="<p>In 2024 aangenomen.</p>")
    ready(cast)
    services.publish_edition(old, by=cast.coordinator)
    new = services.start_next_edition(old, by=cast.coordinator)
    chapter_a = new.chapters.get(theme=cast.chapter_a.theme)
    chapter_b = new.chapters.get(theme=cast.chapter_b.theme)
    counts = {p.chapter_id: p.message for p in readiness.check(new) if p.rule == "freshness"}
    # Chapter A: its own texts and the latest development; chapter B: its own texts.
    assert "2 teksten" in counts[chapter_a.pk] and "1 tekst" in counts[chapter_b.pk]

    latest = chapter_a.latest_developments.get()
    latest.body = "<p>In 2025 in werking getreden.</p>"
    latest.save()
    own = CarriedOver.objects.get(chapter=chapter_b)
    services.confirm_carried_over([own], cast.editor_b, chapter=chapter_b)
    freshness = [p for p in readiness.check(new) if p.rule == "freshness"]
    assert [p.chapter_id for p in freshness] == [chapter_a.pk] and "1 tekst" in freshness[0].message
    assert freshness[0].url == reverse("admin:workflow_carried_over", args=[chapter_a.pk])


def test_the_reporting_period_comes_from_the_period_fields(cast):
    ready(cast)
    Edition.objects.filter(pk=cast.edition.pk).update(subtitle="Verslagperiode maart 2022 – maart 2023")
    cast.edition.refresh_from_db()
    assert rules(cast.edition) == [("period", False)]
    Edition.objects.filter(pk=cast.edition.pk).update(subtitle="", reporting_period_end=None)
    cast.edition.refresh_from_db()
    assert rules(cast.edition) == [("period", False)]
    Edition.objects.filter(pk=cast.edition.pk).update(reporting_period_end=datetime.date(2025, 3, 31))
    cast.edition.refresh_from_db()
    assert rules(cast.edition) == []


def test_edition_texts_carried_over_need_confirmation_too(cast):
    Edition.objects.filter(pk=cast.edition.pk).update(
        introduction="<p>Over de periode 2024–2025.</p>", colophon="<p>Redactie 2025</p>"
    )
    cast.edition.refresh_from_db()
    ready(cast)
    services.publish_edition(cast.edition, by=cast.coordinator)
    new = services.start_next_edition(cast.edition, by=cast.coordinator)
    edition_texts = [p for p in readiness.check(new) if p.rule == "edition_texts"]
    assert len(edition_texts) == 1 and "Inleiding" in str(edition_texts[0]) and "Colofon" in str(edition_texts[0])
    new.introduction = "<p>Over de periode 2025–2026.</p>"
    new.save()
    colophon = CarriedOver.objects.get(edition=new, field="colophon")
    services.confirm_carried_over([colophon], cast.coordinator, edition=new)
    assert [p for p in readiness.check(new) if p.rule == "edition_texts"] == []


# -- publishing enforces it ----------------------------------------------------------------


def test_publishing_with_warnings_and_no_reason_is_refused_and_freezes_nothing(cast):
    ready(cast)
    services.add_comment(cast.chapter_a, cast.coordinator, "Nog een bron?")
    with pytest.raises(services.NotReady) as refused:
        services.publish_edition(cast.edition, by=cast.coordinator)
    assert "open opmerking" in str(refused.value) and [p.rule for p in refused.value.problems] == ["comments"]
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PREPARATION
    assert not AuditEntry.objects.for_object(cast.edition).exists()


def test_publishing_despite_warnings_keeps_the_reason_in_the_audit_log(cast):
    ready(cast)
    services.add_comment(cast.chapter_a, cast.coordinator, "Nog een bron?")
    entry = services.publish_edition(cast.edition, by=cast.coordinator, reason="De bron volgt in de correctie.")
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PUBLISHED
    assert entry.action == AuditEntry.Action.PUBLISH
    assert "De bron volgt in de correctie." in entry.comment and "open opmerking" in entry.comment


def test_no_reason_lets_a_chapter_not_approved_through(cast):
    approve(cast.chapter_a, cast.editor_a, cast.coordinator)
    with pytest.raises(services.NotReady, match="Nog niet goedgekeurd"):
        services.publish_edition(cast.edition, by=cast.coordinator, reason="Het moet vandaag de deur uit.")
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PREPARATION


def test_the_publish_page_asks_for_confirmation_and_says_what_freezes(client, cast):
    ready(cast)
    client.force_login(cast.coordinator)
    url = reverse("admin:kib_edition_workflow", args=[cast.edition.pk, "publish"])
    page = client.get(url).content.decode()
    assert 'id="what-freezes"' in page and "bevriest de editie" in page and 'id="readiness-ok"' in page
    response = client.post(url, {})  # not confirmed
    assert response.status_code == 200
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PREPARATION
    assert client.post(url, {"confirm": "on"}).status_code == 302
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PUBLISHED


def test_the_publish_page_lists_the_problems_and_wants_a_reason(client, cast):
    ready(cast)
    services.add_comment(cast.chapter_b, cast.coordinator, "Nog een bron?")
    client.force_login(cast.coordinator)
    url = reverse("admin:kib_edition_workflow", args=[cast.edition.pk, "publish"])
    html = client.post(url, {"confirm": "on"}).content.decode()
    assert "open opmerking" in html and "alleen met een reden" in html
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PREPARATION
    client.post(url, {"confirm": "on", "reason": "Opmerking wordt na publicatie verwerkt."})
    cast.edition.refresh_from_db()
    assert cast.edition.state == Edition.State.PUBLISHED
    assert Chapter.objects.filter(edition=cast.edition, state=Chapter.State.APPROVED).count() == 2
