"""Cite where you write: web addresses and footnotes added in the part's own form.

Cast: the editor of UNICEF, who leads the draft ``chapter_a`` and cites from its parts; the
editor of Defence for Children, who may not cite from UNICEF's chapter; a published 2024 edition
whose cited source is frozen.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kib.models import Edition, Source
from tests import factories as f
from tests.test_permissions import form_data
from themes import citing
from themes.layout import ChapterLayout
from themes.models import Chapter, Citation, Definition, DevelopmentGroup, DevelopmentItem, Footnote, LatestDevelopment
from themes.notes import place_notes

pytestmark = pytest.mark.django_db


def change_url(chapter, section="laatste"):
    """The chapter's section page holding the parts a test changes (latest developments unless said)."""
    return reverse("admin:themes_chapter_change", args=[chapter.pk]) + f"?sectie={section}"


def citations_of(part):
    return list(
        Citation.objects.filter(content_type=ContentType.objects.get_for_model(part), object_id=part.pk)
        .order_by("position")
        .values_list("source__url", flat=True)
    )


# -- the service ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pasted, stored",
    [
        ("HTTPS://WWW.CBS.NL/nl-nl/Cijfers/", "https://www.cbs.nl/nl-nl/Cijfers"),
        ("https://cbs.nl/a?utm_source=mail&jaar=2024&UTM_campaign=x#tabel", "https://cbs.nl/a?jaar=2024"),
        ("http://example.org:80/rapport.pdf", "http://example.org/rapport.pdf"),
        ("  https://example.org/  ", "https://example.org"),
        ("https://example.org/zoek?q=a%20b", "https://example.org/zoek?q=a%20b"),
    ],
)
def test_normalise_url(pasted, stored):
    assert citing.normalise_url(pasted) == stored


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.org/x", "data:text/html,hoi", "www.cbs.nl", "https://"])
def test_normalise_url_refuses_what_is_not_http(bad):
    with pytest.raises(ValidationError) as error:
        citing.normalise_url(bad)
    assert "webadres" in " ".join(error.value.messages)


def test_cite_reuses_the_source_with_the_same_normalised_address():
    cast = f.workflow_cast()
    known = Source.objects.create(url="https://www.cbs.nl/Jeugd/", title="Jeugd in cijfers")  # stored before normalising
    part = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Nieuw")
    citation, created = citing.cite(part, "https://WWW.cbs.nl/Jeugd?utm_medium=nieuwsbrief", by=cast.editor_a)
    assert created and citation.source == known and citation.chapter == cast.chapter_a
    again, created = citing.cite(part, "https://www.cbs.nl/Jeugd/#boven", by=cast.editor_a)
    assert not created and again == citation
    assert Source.objects.count() == 1 and citations_of(part) == ["https://www.cbs.nl/Jeugd/"]


def test_cite_creates_a_source_with_publisher_and_title_and_fills_in_a_blank_one():
    cast = f.workflow_cast()
    group = DevelopmentGroup.objects.create(chapter=cast.chapter_a, kind="policy", title="Groep")
    item = DevelopmentItem.objects.create(group=group, title="Item")
    citation, _ = citing.cite(item, "https://www.rijksoverheid.nl/brief", "Rijksoverheid", "Kamerbrief", by=cast.editor_a)
    assert (citation.source.url, citation.source.publisher, citation.source.title) == (
        "https://www.rijksoverheid.nl/brief",
        "Rijksoverheid",
        "Kamerbrief",
    )
    assert citation.chapter == cast.chapter_a  # an item's chapter is its group's
    bare = Source.objects.create(url="https://example.org/kaal")
    citing.cite(item, "https://example.org/kaal", "Uitgever", "Titel", by=cast.editor_a)
    bare.refresh_from_db()
    assert (bare.publisher, bare.title) == ("Uitgever", "Titel")


def test_a_source_cited_by_a_published_edition_is_reused_unchanged():
    cast = f.workflow_cast()
    published = f.edition(2024, state=Edition.State.PUBLISHED)
    old_chapter = f.chapter(edition=published, theme=cast.chapter_a.theme)
    frozen = Source.objects.create(url="https://example.org/oud")
    old_part = LatestDevelopment.objects.create(chapter=old_chapter, title="Oud")
    Citation.objects.create(
        source=frozen, chapter=old_chapter, content_type=ContentType.objects.get_for_model(old_part), object_id=old_part.pk
    )
    part = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Nieuw")
    citation, created = citing.cite(part, "https://example.org/oud", "Nieuwe uitgever", "Nieuwe titel", by=cast.editor_a)
    frozen.refresh_from_db()
    assert created and citation.source == frozen and (frozen.publisher, frozen.title) == ("", "")


def test_editor_cannot_cite_from_another_organisations_chapter():
    cast = f.workflow_cast()
    part = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Van UNICEF")
    with pytest.raises(PermissionDenied):
        citing.cite(part, "https://example.org", by=cast.editor_b)
    with pytest.raises(PermissionDenied):
        citing.footnote(part, "Noot", by=cast.editor_b)
    assert not Citation.objects.exists() and not Source.objects.exists() and not Footnote.objects.exists()


def test_parse_references_names_every_bad_line_and_drops_duplicates():
    refs = citing.parse_references("https://a.nl/x | CBS | Titel\n\nhttps://A.nl/x/\nhttps://b.nl")
    assert [(r.url, r.publisher, r.title) for r in refs] == [("https://a.nl/x", "CBS", "Titel"), ("https://b.nl", "", "")]
    with pytest.raises(ValidationError) as error:
        citing.parse_references("https://a.nl\njavascript:alert(1)\nftp://b.nl")
    assert [m.split(":")[0] for m in error.value.messages] == ["Regel 2", "Regel 3"]


# -- footnotes numbered in print order -----------------------------------------------------------------


def test_footnotes_added_from_parts_are_numbered_in_print_order_after_their_text():
    cast = f.workflow_cast()
    chapter = cast.chapter_a
    definition = Definition.objects.create(chapter=chapter, question="Wat?", body="<p>Definitie met 1 getal</p>")
    later = LatestDevelopment.objects.create(chapter=chapter, position=2, title="Later", body="<p>Tekst 2</p>")
    earlier = LatestDevelopment.objects.create(chapter=chapter, position=1, title="Eerder", body="<p>Tekst</p>")
    citing.footnote(later, "Noot bij later", by=cast.editor_a)
    citing.footnote(earlier, "Noot bij eerder", by=cast.editor_a)
    citing.footnote(definition, "Noot bij definitie", by=cast.editor_a)
    Footnote.objects.create(chapter=chapter, marker="2", text="Getypt teken")  # a number already taken by hand
    layout = ChapterLayout(Chapter.objects.get(pk=chapter.pk))
    markers = {fn.text: fn.marker for part in [*layout.definitions, *layout.latest_developments] for fn in part.printed_footnotes}
    assert markers == {"Noot bij definitie": "1", "Noot bij eerder": "3", "Noot bij later": "4"}
    html = place_notes(layout.definitions[0].body, layout.definitions[0].printed_footnotes)
    assert "Definitie met 1 getal<sup>1</sup><span" in html  # after the text, not after the "1" standing in it


# -- through the chapter's change form -----------------------------------------------------------------


def posted(client, cast, **fields):
    client.force_login(cast.editor_a)
    data = form_data(client.get(change_url(cast.chapter_a)))
    data.update(fields)
    return client.post(change_url(cast.chapter_a), data)


def test_editor_adds_a_latest_development_with_sources_and_a_footnote_in_one_save(client):
    cast = f.workflow_cast()
    Source.objects.create(url="https://www.cbs.nl/jeugd", title="Jeugd")
    response = posted(
        client,
        cast,
        **{
            "latest_developments-TOTAL_FORMS": "1",
            "latest_developments-0-title": "Nieuwe wet",
            "latest_developments-0-territory": "NL",
            "latest_developments-0-new_sources": "https://WWW.cbs.nl/jeugd/?utm_source=x\n"
            "https://www.tweedekamer.nl/stuk | Tweede Kamer | Motie\nhttps://www.cbs.nl/jeugd",
            "latest_developments-0-new_footnote": "Aangenomen op 1 maart.",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    part = LatestDevelopment.objects.get(title="Nieuwe wet")
    assert citations_of(part) == ["https://www.cbs.nl/jeugd", "https://www.tweedekamer.nl/stuk"]
    assert Source.objects.count() == 2
    assert Source.objects.get(url="https://www.tweedekamer.nl/stuk").title == "Motie"
    note = Footnote.objects.get(text="Aangenomen op 1 maart.")
    assert (note.chapter, note.target, note.marker) == (cast.chapter_a, part, "")


def test_a_bad_address_gives_a_dutch_error_and_saves_nothing_of_the_form(client):
    cast = f.workflow_cast()
    response = posted(
        client,
        cast,
        **{
            "summary": "<p>Gewijzigd</p>",
            "latest_developments-TOTAL_FORMS": "1",
            "latest_developments-0-title": "Nieuwe wet",
            "latest_developments-0-territory": "NL",
            "latest_developments-0-new_sources": "https://goed.nl\njavascript:alert(1)",
            "latest_developments-0-new_footnote": "Noot",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Regel 2: “javascript:alert(1)” is geen webadres" in html
    assert "https://goed.nl\njavascript:alert(1)</textarea>" in html  # the pasted lines are still there
    assert not LatestDevelopment.objects.exists() and not Source.objects.exists() and not Footnote.objects.exists()
    assert Chapter.objects.get(pk=cast.chapter_a.pk).summary == "<p>Tekst van UNICEF</p>"


def test_the_parts_citations_show_in_its_form_and_can_be_removed(client):
    cast = f.workflow_cast()
    part = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Deel")
    keep, _ = citing.cite(part, "https://example.org/blijft", "Uitgever", "Blijft")
    drop, _ = citing.cite(part, "https://example.org/weg", "Uitgever", "Weg")
    client.force_login(cast.editor_a)
    html = client.get(change_url(cast.chapter_a)).content.decode()
    assert "Uitgever, Blijft" in html and "Uitgever, Weg" in html
    response = posted(client, cast, **{"latest_developments-0-remove_citations": [str(drop.pk)]})
    assert response.status_code == 302
    assert citations_of(part) == ["https://example.org/blijft"]
    assert Source.objects.filter(url="https://example.org/weg").exists()  # the source itself stays


def test_a_submitted_chapter_shows_its_sources_read_only(client):
    from kib.workflow import services

    cast = f.workflow_cast()
    part = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Deel")
    citing.cite(part, "https://example.org/bron", "CBS", "Cijfers")
    services.submit_chapter(Chapter.objects.get(pk=cast.chapter_a.pk), by=cast.editor_a)
    client.force_login(cast.editor_a)
    html = client.get(change_url(cast.chapter_a)).content.decode()
    assert "CBS, Cijfers" in html and "new_sources" not in html and "new_footnote" not in html


def test_on_the_parts_own_page_a_citation_takes_the_parts_chapter(client):
    cast = f.workflow_cast()
    part = LatestDevelopment.objects.create(chapter=cast.chapter_a, title="Deel")
    source = Source.objects.create(url="https://example.org/bron", title="Bron")
    url = reverse("admin:themes_latestdevelopment_change", args=[part.pk])
    client.force_login(cast.editor_a)
    response = client.get(url)
    assert 'name="themes-citation-content_type-object_id-0-chapter"' not in response.content.decode()
    data = form_data(response)
    prefix = "themes-citation-content_type-object_id"
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-source": str(source.pk), f"{prefix}-0-position": "1"})
    assert client.post(url, data).status_code == 302
    assert Citation.objects.get().chapter == cast.chapter_a
