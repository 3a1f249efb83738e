"""The admin speaks Dutch to coordinators and editors, on every page they can open.

A crawler follows every admin link a coordinator and UNICEF's editor can reach on the demo
(start page, app lists, change lists, add and change pages, history pages and the revisions
in them, the dashboard), a few objects per kind of page, and fails on English phrases in
the text, the buttons and the labels. Messages after a save use the right Dutch article,
the JavaScript catalogue of the admin is Dutch, and the header greets people by name.
"""

import re
from collections import deque
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

# Words and phrases of Django, django-simple-history, django-import-export and KIB's own models
# that showed up in English inside the Dutch admin. Matched as whole words, case-sensitively.
ENGLISH = [
    "Choose a date",
    "Change history",
    "Changed by",
    "Change reason",
    "Changed",
    "Created",
    "Deleted",
    "Date/time",
    "Revert",
    "Chapter",
    "Chapters",
    "draft",
    "submitted",
    "approved",
    "changes_requested",
    "successfully",
    "History",
    "Delete",
    "Add another",
    "Select",
    "Search",
    "Action",
    "Welcome",
    "Log out",
    "View on site",
    "Home",
    "entries",
    "entry",
    "results",
    "This object",
    "Show all",
    "Export",
    "Import",
    "None",
    "Yes",
    "Unknown",
    "Today",
    "Now",
    "Currently",
    "Change",
    "Clear",
    "content type",
    "access attempt",
    "access log",
    "Task Result",
    "TOTP device",
]
# Dutch that reads wrong: a count with a singular, the wrong article, English "Save" (not Save the Children).
WRONG = [r"\d+ (?:logboek|importlogboek)", r"De (?:hoofdstuk|thema)", r"Save(?! the Children)"]
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join([*map(re.escape, ENGLISH), *WRONG]) + r")(?![\w-])")

# Not pages: downloads, the JavaScript catalogue, actions that change something on GET.
SKIP = re.compile(r"/(logout|jsi18n|r|pdf|export|download|delete|autocomplete)/|\.(pdf|csv|xlsx|json)$")
PER_PATTERN = 2  # pages opened per URL shape (ids replaced), enough to see every template


class _Page(HTMLParser):
    """The text a person reads on a page: text nodes, button values, titles, labels, placeholders."""

    def __init__(self):
        super().__init__()
        self.links, self.text, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "textarea"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "aria-label", "placeholder"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())


def _shape(path):
    return re.sub(r"/\d+/", "/N/", path)


def crawl(client):
    """Open every admin page reachable from the start page; return {path: [English phrases]}."""
    found, seen, shapes = {}, set(), {}
    queue = deque(["/admin/", "/admin/dashboard/"])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code in (200, 302, 403, 404), (path, response.status_code)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        english = sorted({m.group(1) for line in page.text for m in ENGLISH_RE.finditer(line)})
        if english:
            found[path] = english
        for href in page.links:
            href = href.split("#")[0].split("?")[0]
            if not href.startswith("/admin/") or SKIP.search(href) or href in seen:
                continue
            shape = _shape(href)
            if shapes.get(shape, 0) >= PER_PATTERN:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(href)
    return found, seen


@pytest.fixture
def demo_cycle(demo_db):
    """The demo as `make run` shows it: 2025 in preparation, chapters in every state, the demo accounts in their roles."""
    from kib.demo.cycle import run_cycle

    run_cycle()


@pytest.fixture
def as_user(client):
    def log_in(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return log_in


@pytest.mark.parametrize("username", ["coordinator", "redacteur-unicef"])
def test_every_admin_page_is_dutch(demo_cycle, as_user, username):
    found, seen = crawl(as_user(username))
    # The crawl reached the pages the issue names, not just the start page.
    assert any(p.endswith("/history/") for p in seen)
    assert any(re.search(r"/history/\d+/$", p) for p in seen)  # one revision
    assert any(p.startswith("/admin/themes/chapter/") and p.endswith("/change/") for p in seen)
    assert any(p.startswith("/admin/dashboard/") for p in seen)
    assert found == {}


class _Form(HTMLParser):
    """The values a browser would send for the change form (id ``<model>_form``) of a page."""

    def __init__(self):
        super().__init__()
        self.data, self._in_form, self._select, self._textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            checkable = attrs.get("type") in ("checkbox", "radio")
            self.data.append((attrs["name"], attrs.get("value", "on" if checkable else "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def _post_form_back(client, path, **changes):
    form = _Form()
    form.feed(client.get(path).content.decode())
    data = {}
    for name, value in form.data:
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in changes.items()})
    return client.post(path, data, follow=True)


def test_saving_a_chapter_says_het_hoofdstuk_is_gewijzigd(demo_cycle, as_user):
    from themes.models import Chapter

    chapter = Chapter.objects.get(edition__year=2025, theme__number=7)  # UNICEF's, in draft
    word_html = '<p class="MsoNormal" style="color:red"><b>Vet</b> uit Word<o:p></o:p></p><script>alert(1)</script>'
    response = _post_form_back(
        as_user("redacteur-unicef"), f"/admin/themes/chapter/{chapter.pk}/change/?sectie=stand", summary=word_html, _continue="1"
    )
    assert response.redirect_chain, [(f.formset.prefix, f.formset.errors, f.formset.non_form_errors()) for f in response.context["inline_admin_formsets"] if not f.formset.is_valid()] or response.context["adminform"].form.non_field_errors()
    messages = [str(m) for m in response.context["messages"]]
    link = f'<a href="/admin/themes/chapter/{chapter.pk}/change/">{chapter}</a>'
    assert messages == [f"Het hoofdstuk ‘{link}’ is gewijzigd. U kunt hieronder verder bewerken."]
    chapter.refresh_from_db()
    assert chapter.summary == "<p><b>Vet</b> uit Word</p>"  # sanitised whatever the browser sent


def test_the_header_greets_by_name_and_organisation(demo_cycle, as_user):
    response = as_user("redacteur-unicef").get("/admin/")
    html = response.content.decode()
    assert '<strong id="user-name">Redacteur UNICEF</strong>' in html
    assert '<span id="user-organisation">(UNICEF Nederland)</span>' in html


def test_the_javascript_catalogue_of_the_admin_is_dutch(demo_cycle, as_user):
    """filter_horizontal, the calendar and the rich-text toolbar read their words from it."""
    catalogue = as_user("coordinator").get("/admin/jsi18n/").content.decode()
    for english, dutch in [
        ('Choose %s by selecting them and then select the \\"Choose\\" arrow button.', "Kies %s door ze te selecteren"),
        ("Choose all %s", "Alle %s kiezen"),
        ("Remove all %s", "Alle %s verwijderen"),
        ("Today", "Vandaag"),
        ("January", "januari"),
        ("bold", "Vet"),
        ("insert link", "Link invoegen"),
    ]:
        assert f'"{english}": "{dutch}' in catalogue, english
