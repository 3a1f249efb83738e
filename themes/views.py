"""The public chapter page: one published chapter, printed as in the report, with its navigation.

It starts from ``Chapter.objects.published()``: a chapter of an edition that is not published
answers 404 whatever the URL. The page is rendered once per content version and then served
from the public cache (``kib.public_cache``); the queries below run only when it is rebuilt.
"""

import functools
from dataclasses import dataclass
from html import escape as html_escape

from django import forms
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kib.db.rows import kept_query
from kib.models import Edition
from kib.public_cache import LANGUAGE_SWITCH_SLOT, kept, language_switch, page_response
from kib.publication.models import PublishedPdf
from themes import changes
from themes.layout import PRINTED_WITH_CHAPTER, load_printed_parts
from themes.models import Chapter
from themes.search import MAX_QUERY_LENGTH, EditionRef, chapter_refs
from themes.search import search as search_editions


@kept_query  # built and compiled once per connection (``kib.db.rows.kept_query``)
def _chapter_and_navigation(year, theme_slug):
    """One query for the chapter itself and the navigation (this edition's chapters, and this theme in every
    published edition), with the size of the edition's current PDF for the download link."""
    current_pdf = PublishedPdf.objects.current().filter(edition=OuterRef("edition_id"))
    return (
        Chapter.objects.published()
        .filter(Q(edition__year=year) | Q(theme__slug=theme_slug))
        .select_related(*PRINTED_WITH_CHAPTER)
        .annotate(pdf_size=Subquery(current_pdf.values("size")[:1]))
        .order_by("theme__number", "-edition__year")
    )


@require_safe
def chapter_detail(request, year, theme_slug):
    def build():
        related = _chapter_and_navigation(year, theme_slug)
        nav = [c for c in related if c.edition.year == year]
        chapter = next((c for c in nav if c.theme.slug == theme_slug), None)
        if chapter is None:
            raise Http404("Geen gepubliceerd hoofdstuk.")
        # What changed since the previous published edition's chapter of this theme: both chapters' parts
        # in the same load (a fixed number of queries), plus one for what was carried over from it.
        previous_edition = changes.previous_chapter(chapter, related)
        # Every printed part, data gaps included, in a fixed number of queries; published numbers only.
        load_printed_parts([chapter], public_only=True, compared_with=[previous_edition] if previous_edition else [])
        index = nav.index(chapter)
        pdf = None
        if chapter.pdf_size is not None:
            pdf = {"url": reverse("public:edition_pdf", args=[year]), "size": chapter.pdf_size}
        context = {
            "chapter": chapter,
            "edition": chapter.edition,
            "nav": nav,
            "previous": nav[index - 1] if index > 0 else None,
            "next": nav[index + 1] if index + 1 < len(nav) else None,
            "other_editions": [c for c in related if c.theme.slug == theme_slug and c.edition.year != year],
            "data_gaps": chapter.data_gaps.all(),
            "changes": changes.compare(previous_edition, chapter) if previous_edition else None,
            "pdf": pdf,
            "public_site": True,  # report/figure.html adds the data table under each chart
            "section": "editions",
        }
        return render_to_string("public/chapter.html", context)

    return page_response(request, ("chapter", year, theme_slug), build)


class SearchForm(forms.Form):
    """The search box with its two filters; the choices are the published editions and their themes.

    ``editions``: (year, label) of the published editions, newest first; ``themes``: (slug, label)
    of the themes they have chapters of, in their order.
    """

    q = forms.CharField(label=_("Zoeken in alle edities"), max_length=MAX_QUERY_LENGTH, required=False)
    editie = forms.TypedChoiceField(label=_("Editie"), coerce=int, required=False, empty_value=None)
    thema = forms.ChoiceField(label=_("Thema"), required=False)

    def __init__(self, *args, editions, themes, **kwargs):
        super().__init__(*args, **kwargs)
        unknown = _("onbekende waarde ‘%(value)s’; kies uit de lijst")
        self.fields["editie"].choices = [("", _("Alle edities")), *editions]
        self.fields["editie"].error_messages["invalid_choice"] = unknown
        self.fields["thema"].choices = [("", _("Alle thema's")), *themes]
        self.fields["thema"].error_messages["invalid_choice"] = unknown


TITLE_SLOT = "<!--kib:search-title-->"
BODY_SLOT = "<!--kib:search-body-->"
# Where the per-request values go in the kept form (public/search_body.html rendered once): plain words,
# so they survive the template's escaping. The frame is cut at them when it is made; the visitor's
# words are put between the pieces afterwards, so they can never open a slot.
WORDS_SLOT = "kib0slot0words"
OPTIONS_SLOTS = {"editie": "kib0slot0editie", "thema": "kib0slot0thema"}
RESULTS_SLOT = "kib0slot0results"


@dataclass(frozen=True)
class SearchFrame:
    """What a search page has that does not depend on the words: kept under the content version.

    The published chapters as plain ``ChapterRef`` values (what a hit belongs to), the filters'
    choices with their ``<option>`` lists made for every choice selected (``options[name][value]``),
    and the whole page rendered once (``public/search.html`` around ``public/search_body.html``
    with the form unfilled), cut at its slots: ``pieces[0]`` + title + ``pieces[1]`` + language switch
    + ``pieces[2]`` + words + ``pieces[3]`` + edition options + ``pieces[4]`` + theme options +
    ``pieces[5]`` + results + ``pieces[6]``. The page of a search with an unknown value (its errors)
    is rendered whole instead: ``head``, ``middle`` and ``tail`` are the frame around the body.
    """

    chapters: list
    editions: list
    themes: list
    options: dict
    pieces: tuple
    head: str
    middle: str
    tail: str


def _cut(text, slots):
    """``text`` cut at each of ``slots`` in turn (each must occur exactly once, in this order)."""
    pieces = []
    for slot in slots:
        if text.count(slot) != 1:
            raise ValueError(f"The search page must hold {slot} exactly once.")
        piece, text = text.split(slot)
        pieces.append(piece)
    return (*pieces, text)


def _search_frame():
    editions = list(Edition.objects.published().order_by("-year"))
    refs = [EditionRef(e.pk, e.year, str(e), e.get_absolute_url()) for e in editions]
    chapters = chapter_refs(Chapter.objects.published().select_related("edition", "theme").order_by(), refs)
    themes = sorted({(c.theme_number, c.theme_slug, c.theme_nav_label) for c in chapters})
    edition_choices = [(e.year, e.label) for e in refs]
    theme_choices = [(slug, f"{number}. {label}") for number, slug, label in themes]
    page = render_to_string("public/search.html", {"section": "search"})
    head, rest = page.split(TITLE_SLOT)
    middle, tail = rest.split(BODY_SLOT)
    form = SearchForm(initial={"q": WORDS_SLOT}, editions=edition_choices, themes=theme_choices)
    fields = [(form["q"], None), *((form[name], mark_safe(slot)) for name, slot in OPTIONS_SLOTS.items())]
    body = render_to_string("public/search_body.html", {"form": form, "fields": fields, "results_html": RESULTS_SLOT})
    options = {
        name: {str(value): _options(form[name], str(value)) for value, _label in form.fields[name].choices}
        for name in OPTIONS_SLOTS
    }
    whole = head + TITLE_SLOT + middle + body + tail
    slots = (TITLE_SLOT, LANGUAGE_SWITCH_SLOT, WORDS_SLOT, *OPTIONS_SLOTS.values(), RESULTS_SLOT)
    return SearchFrame(
        chapters=chapters,
        editions=edition_choices,
        themes=theme_choices,
        options=options,
        pieces=_cut(whole, slots),
        head=head,
        middle=middle,
        tail=tail,
    )


def _valid_words(frame, data):
    """``(words as typed, words stripped, {filter: chosen value}, year, theme slug)`` when every value the
    visitor sent is one the form accepts, else None.

    What ``SearchForm`` would clean, without building it: it is only built (for its error
    messages) when something is wrong. ``data``: the request's GET.
    """
    words = data.get("q", "")
    cleaned = words.strip()
    if len(cleaned) > MAX_QUERY_LENGTH or "\x00" in words:
        return None
    chosen = {}
    for name in OPTIONS_SLOTS:
        value = data.get(name, "")
        if value not in frame.options[name]:
            return None
        chosen[name] = value
    year = int(chosen["editie"]) if chosen["editie"] else None
    return words, cleaned, chosen, year, chosen["thema"] or None


def _options(field, chosen=None):
    """The ``<option>`` elements of a filter, ``chosen`` (or the field's value) selected (a template loop cost more than the search)."""
    if chosen is None:
        chosen = field.value()
        chosen = "" if chosen is None else str(chosen)
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>{escape(label)}</option>'
            for value, label in field.field.choices
        )
    )


@functools.lru_cache(maxsize=1024)
def _count_format(language, total):
    """The results' heading for ``total`` passages in ``language`` (the active one), up to the query: made once."""
    counted = ngettext(
        "%(counter)s passage gevonden voor ‘%(query)s’", "%(counter)s passages gevonden voor ‘%(query)s’", total
    )
    return counted.replace("%(counter)s", localize(total).replace("%", "%%"))


PAGE_PARAM = "pagina"


def _pages(shown, words, chosen):
    """The links to the previous and next page of results (the tracker's markup), or "" when one page holds them."""
    if not shown.has_other_pages():
        return ""
    kept = [("q", words), *((name, value) for name, value in chosen.items() if value)]

    def link(number):
        return html_escape("?" + urlencode([*kept, (PAGE_PARAM, number)]))

    parts = [f'  <nav class="pagination" aria-label="{html_escape(gettext("Pagina’s"))}">\n']
    if shown.has_previous():
        parts.append(f'    <a rel="prev" href="{link(shown.previous_page_number())}">← {html_escape(gettext("Vorige"))}</a>\n')
    where = gettext("Pagina %(number)s van %(total)s") % {"number": shown.number, "total": shown.paginator.num_pages}
    parts.append(f"    <span>{html_escape(where)}</span>\n")
    if shown.has_next():
        parts.append(f'    <a rel="next" href="{link(shown.next_page_number())}">{html_escape(gettext("Volgende"))} →</a>\n')
    parts.append("  </nav>\n")
    return "".join(parts)


def _results_html(results, total, query, pages=""):
    """The results section: per edition, per chapter, the passages (already escaped and marked).

    Written out here rather than in a template: three nested template loops cost more than the
    search query itself. Everything from the database or the visitor is escaped (``html.escape``, the
    same five characters as Django's ``escape``, without its lazy-string wrapper).
    """
    count = _count_format(get_language(), total) % {"query": html_escape(query)}
    out = [f'<section class="search-results" aria-labelledby="results-title">\n  <h2 id="results-title">{count}</h2>\n']
    for group in results:
        edition = group["edition"]
        out.append(
            f'  <section class="search-edition" aria-labelledby="editie-{edition.year}">\n'
            f'    <h3 id="editie-{edition.year}"><a href="{html_escape(edition.url)}">{html_escape(edition.label)}</a></h3>\n'
        )
        for entry in group["chapters"]:
            chapter = entry["chapter"]
            out.append(
                f'    <article class="search-chapter">\n      <h4><a href="{html_escape(chapter.url)}" lang="nl">'
                f"{chapter.theme_number}. {html_escape(chapter.display_title)}</a></h4>\n"
                '      <ul class="search-hits">\n'
            )
            out.extend(
                f'        <li><span class="meta">{html_escape(hit["label"])}</span> <span lang="nl">{hit["passage"]}</span></li>\n'
                for hit in entry["hits"]
            )
            out.append("      </ul>\n    </article>\n")
        out.append("  </section>\n")
    if not results:
        nothing = html_escape(gettext("Niets gevonden. Probeer een ander woord, of zoek in alle edities en thema's."))
        out.append(f"  <p>{nothing}</p>\n")
    out.append(pages)
    out.append("</section>")
    return SafeString("".join(out))


@require_safe
def search(request):
    """Search every published edition (never a draft); the results are not cached: the words are the visitor's own.

    What does not depend on the words (the published editions and chapters, the filters' choices,
    the whole page with its form unfilled) is kept under the public content version like every
    public page, so it is read again after any change. Per request: one query, the results, and
    the visitor's values put between the kept pieces (escaped, never a slot). A value the form
    would refuse takes the slow path: ``SearchForm`` says what is wrong, nothing is searched.
    """
    frame = kept(("search-frame",), _search_frame)
    valid = _valid_words(frame, request.GET)
    if valid is None:
        return _refused(request, frame)
    words, query, chosen, year, theme_slug = valid
    if query:
        results, total, shown = search_editions(query, year, theme_slug, frame.chapters, request.GET.get(PAGE_PARAM))
        results_html = _results_html(results, total, query, _pages(shown, words, chosen))
        title = gettext("Zoeken: %(query)s") % {"query": escape(query)}
    else:
        results_html, title = "", gettext("Zoeken")
    values = (
        title,
        language_switch(request),
        escape(words),
        frame.options["editie"][chosen["editie"]],
        frame.options["thema"][chosen["thema"]],
        results_html,
    )
    pieces = frame.pieces
    return HttpResponse("".join(piece for pair in zip(pieces[:-1], values, strict=True) for piece in pair) + pieces[-1])


def _refused(request, frame):
    """The page of a search with a value the form refuses: its errors shown, nothing searched."""
    form = SearchForm(request.GET, editions=frame.editions, themes=frame.themes)
    form.is_valid()
    fields = [(form["q"], None), *((form[name], _options(form[name])) for name in OPTIONS_SLOTS)]
    body = render_to_string("public/search_body.html", {"form": form, "fields": fields, "results_html": ""})
    middle = frame.middle.replace(LANGUAGE_SWITCH_SLOT, language_switch(request), 1)  # the header's, in the kept frame
    return HttpResponse("".join((frame.head, gettext("Zoeken"), middle, body, frame.tail)))
