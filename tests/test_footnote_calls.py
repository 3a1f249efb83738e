"""The public chapter page calls each footnote where the PDF does (issue 11: the page as printed).

The PDF floats a footnote from its call in the text: a marker the editor typed ("… zin.*"),
or, for a footnote added from the part, a superscript number after the part's text
(``themes.notes.place_notes``). The web page puts the same call in the same place as a link
to the note below the part, and the note links back to its call; both carry their DPUB-ARIA
roles and a Dutch label. The PDF's HTML is as it was: no links, no ids.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType

from kib.publication.exporter import EditionPdfExporter
from tests import factories as f
from themes import citing
from themes.models import Definition, Footnote, LatestDevelopment

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every element's attributes, by id, and every link's (href, id, role, aria-label, text)."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self._open = {}, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            assert attrs["id"] not in self.ids, f"id {attrs['id']} twice"
            self.ids[attrs["id"]] = (tag, attrs)
        if tag == "a":
            self._open = {**attrs, "text": ""}
            self.links.append(self._open)

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def attached(part, **fields):
    return Footnote.objects.create(
        chapter=part.chapter,
        content_type=ContentType.objects.get_for_model(part),
        object_id=part.pk,
        **fields,
    )


@pytest.fixture
def chapter():
    """A published chapter with a typed call, a numbered footnote, a loose footnote and one on a figure."""
    edition = f.edition(2024)
    chapter = f.full_chapter(edition, f.theme(number=8, slug="migratie"))  # its key figure has "*" without a call
    latest = LatestDevelopment.objects.create(
        chapter=chapter, title="Wetsvoorstel", body="<p>Eerste zin.† Tweede zin met 2024.</p>"
    )
    attached(latest, marker="†", text="Noot met een getypt teken")
    citing.footnote(latest, "Noot die het systeem nummert")
    Definition.objects.filter(chapter=chapter).update(body="<p>Een definitie‡ met een los teken.</p>")
    Footnote.objects.create(chapter=chapter, marker="‡", text="Losse noot bij de definitie")
    attached(chapter.figures.get(), marker="§", text="Noot bij de figuur")
    f.publish(edition)
    return chapter


def page_of(client, chapter):
    response = client.get(chapter.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def calls_and_notes(html):
    elements = Elements()
    elements.feed(html)
    calls = [link for link in elements.links if link.get("role") == "doc-noteref"]
    backs = [link for link in elements.links if link.get("role") == "doc-backlink"]
    return elements, calls, backs


def test_every_footnote_is_called_in_the_text_and_links_there_and_back(client, chapter):
    html = page_of(client, chapter)
    elements, calls, backs = calls_and_notes(html)
    footnotes = {fn.text: fn for fn in Footnote.objects.filter(chapter=chapter)}
    assert len(calls) == len(backs) == len(footnotes) == 5
    for call in calls:
        note_id = call["href"].removeprefix("#")
        tag, note = elements.ids[note_id]  # the call leads to a note on the page
        assert note.get("role") == "doc-footnote" and "fn" in note["class"].split()
        assert call["id"] == f"{note_id}-tekst"
        assert call["aria-label"] == f"Voetnoot {note['data-marker']}"
        assert call["text"] == note["data-marker"]
    assert {back["href"] for back in backs} == {f"#{call['id']}" for call in calls}  # and each note leads back
    assert all(back["aria-label"].startswith("Terug naar de tekst bij voetnoot ") for back in backs)
    assert {fn.pk for fn in footnotes.values()} == {int(c["href"].split("-")[1]) for c in calls}


def test_the_calls_stand_where_the_pdf_puts_them(client, chapter):
    html = page_of(client, chapter)
    typed = Footnote.objects.get(marker="†")
    numbered = Footnote.objects.get(text="Noot die het systeem nummert")
    loose = Footnote.objects.get(marker="‡")
    figure_note = Footnote.objects.get(marker="§")
    star = Footnote.objects.get(marker="*")

    def call(footnote, text):
        return (
            f'<a class="fn-call" href="#voetnoot-{footnote.pk}" id="voetnoot-{footnote.pk}-tekst" '
            f'role="doc-noteref" aria-label="Voetnoot {text}">{text}</a>'
        )

    # The typed marker in the text is the call; the numbered note's superscript follows the text.
    assert f"Eerste zin.{call(typed, '†')} Tweede zin met 2024.<sup>{call(numbered, '1')}</sup></p>" in html
    assert f"Een definitie{call(loose, '‡')} met een los teken.</p>" in html  # a loose note: at its call
    assert re.search(rf"Figuur 1\.</span> [^<]*{re.escape(call(figure_note, '§'))}</figcaption>", html)
    assert f"{call(star, '*')}</p>" in html  # a typed marker missing from the text: after the text, as in print
    # The PDF has the same places: the note right after its call.
    pdf = EditionPdfExporter(chapter.edition).render_html()
    assert 'Eerste zin.†<span class="fn" data-marker="†">Noot met een getypt teken</span>' in pdf
    assert 'Tweede zin met 2024.<sup>1</sup><span class="fn" data-marker="1">Noot die het systeem nummert</span>' in pdf
    assert 'definitie‡<span class="fn" data-marker="‡">Losse noot bij de definitie</span>' in pdf


def test_the_pdf_html_has_no_web_links_or_ids_for_notes(chapter):
    pdf = EditionPdfExporter(chapter.edition).render_html()
    assert "fn-call" not in pdf and "doc-noteref" not in pdf and "doc-backlink" not in pdf
    assert 'id="voetnoot-' not in pdf


def test_a_note_of_a_part_without_text_has_no_call_and_no_way_back(client):
    edition = f.edition(2024)
    chapter = f.full_chapter(edition, f.theme(number=8, slug="migratie"))
    empty = LatestDevelopment.objects.create(chapter=chapter, title="Zonder tekst", body="")
    attached(empty, marker="¶", text="Noot zonder tekst erboven")
    f.publish(edition)
    html = page_of(client, chapter)
    note = Footnote.objects.get(marker="¶")
    assert f'id="voetnoot-{note.pk}"' in html and "Noot zonder tekst erboven" in html
    assert f'href="#voetnoot-{note.pk}"' not in html and f'href="#voetnoot-{note.pk}-tekst"' not in html


def test_a_note_text_is_escaped_on_the_page(client):
    edition = f.edition(2024)
    chapter = f.full_chapter(edition, f.theme(number=8, slug="migratie"))
    latest = LatestDevelopment.objects.create(chapter=chapter, title="Met noot", body="<p>Tekst.</p>")
    attached(latest, marker="*", text="<script>alert(1)</script> noot")
    f.publish(edition)
    html = page_of(client, chapter)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; noot" in html
