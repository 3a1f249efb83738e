"""Who may do what in the admin: roles × actions × own and other organisation's chapter.

Every refusal is checked twice: the status code, and that the database is exactly as it was.
UNICEF leads ``chapter_a``, Defence for Children leads ``chapter_b``; ``editor_a`` works for
UNICEF, ``editor_b`` for Defence for Children.
"""

import pytest
from django.urls import reverse

from kib.models import Edition
from kib.workflow import services
from kib.workflow.models import AuditEntry, ReviewComment
from tests import factories as f
from themes.models import Chapter, Figure

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "editor_a", "editor_b", "coordinator", "administrator"]
CHAPTERS = ["chapter_a", "chapter_b"]
OWN = {"editor_a": "chapter_a", "editor_b": "chapter_b"}


@pytest.fixture
def cast():
    return f.workflow_cast()


def reach(role, chapter):
    """How ``role`` relates to ``chapter``: login, own, hidden, coordinator or viewer."""
    if role == "anonymous":
        return "login"
    if role in OWN:
        return "own" if OWN[role] == chapter else "hidden"
    return {"coordinator": "coordinator", "administrator": "viewer"}[role]


def client_for(client, cast, role):
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    return client


def snapshot():
    """Everything the workflow could change."""
    return (
        list(Chapter.objects.order_by("pk").values_list("pk", "state", "version", "summary", "revised_by")),
        list(Edition.objects.order_by("pk").values_list("pk", "state", "published_at")),
        list(AuditEntry.objects.order_by("pk").values_list("pk", "action")),
        ReviewComment.objects.count(),
        Figure.objects.count(),
    )


def form_data(response):
    """The POST data the change form in ``response`` sends when nothing is touched."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = "" if value is None else str(value)

    add(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.initial_forms:
            add(form)
    return data


def change_url(chapter):
    return reverse("admin:themes_chapter_change", args=[chapter.pk])


def edited_form(client, cast, chapter):
    """A coordinator's form of ``chapter`` with a new summary, to be posted by somebody else."""
    client.force_login(cast.coordinator)
    data = form_data(client.get(change_url(chapter)))
    client.logout()
    data["summary"] = "<p>Nieuwe tekst</p>"
    return data


def assert_login_redirect(response):
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# -- list, view, history ------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_list(client, cast, role, chapter_name):
    chapter = getattr(cast, chapter_name)
    response = client_for(client, cast, role).get(reverse("admin:themes_chapter_changelist"))
    if reach(role, chapter_name) == "login":
        return assert_login_redirect(response)
    assert response.status_code == 200
    listed = chapter in response.context["cl"].result_list
    assert listed == (reach(role, chapter_name) != "hidden")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_view(client, cast, role, chapter_name):
    chapter = getattr(cast, chapter_name)
    response = client_for(client, cast, role).get(change_url(chapter))
    expected = reach(role, chapter_name)
    if expected == "login":
        return assert_login_redirect(response)
    if expected == "hidden":
        assert response.status_code == 302 and response["Location"] == reverse("admin:index")
        return
    assert response.status_code == 200
    assert response.context["has_change_permission"] == (expected in ("own", "coordinator"))
    assert ("Tekst van UNICEF" in response.content.decode()) == (chapter_name == "chapter_a")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_history(client, cast, role, chapter_name):
    chapter = getattr(cast, chapter_name)
    response = client_for(client, cast, role).get(reverse("admin:themes_chapter_history", args=[chapter.pk]))
    expected = reach(role, chapter_name)
    if expected == "login":
        return assert_login_redirect(response)
    assert response.status_code == (404 if expected == "hidden" else 200)


# -- change and delete --------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_change(client, cast, role, chapter_name):
    chapter = getattr(cast, chapter_name)
    data = edited_form(client, cast, chapter)
    before = snapshot()
    response = client_for(client, cast, role).post(change_url(chapter), data)
    expected = reach(role, chapter_name)
    if expected in ("own", "coordinator"):
        assert response.status_code == 302, response.context and response.context["errors"]
        chapter.refresh_from_db()
        assert (chapter.summary, chapter.version, chapter.revised_by) == ("<p>Nieuwe tekst</p>", 2, getattr(cast, role))
        return
    if expected == "login":
        assert_login_redirect(response)
    else:
        assert response.status_code == {"hidden": 302, "viewer": 403}[expected]
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_delete(client, cast, role, chapter_name):
    chapter = getattr(cast, chapter_name)
    before = snapshot()
    url = reverse("admin:themes_chapter_delete", args=[chapter.pk])
    response = client_for(client, cast, role).post(url, {"post": "yes"})
    expected = reach(role, chapter_name)
    if expected == "coordinator":
        assert response.status_code == 302 and not Chapter.objects.filter(pk=chapter.pk).exists()
        return
    if expected == "login":
        assert_login_redirect(response)
    else:
        assert response.status_code == 403  # editors and administrators do not delete chapters
    assert snapshot() == before


# -- workflow steps -----------------------------------------------------------------


def prepare(cast, chapter, state):
    editor = cast.editor_a if chapter == cast.chapter_a else cast.editor_b
    if state in ("submitted", "approved"):
        services.submit_chapter(chapter, by=editor)
    if state == "approved":
        chapter.refresh_from_db()
        services.approve_chapter(chapter, by=cast.coordinator_2, seen_version=chapter.version)
    chapter.refresh_from_db()


STEPS = {
    # action: (state before, state after when allowed, who may: "editors" = own editors too)
    "submit": ("draft", "submitted", "editors"),
    "request_changes": ("submitted", "draft", "coordinators"),
    "approve": ("submitted", "approved", "coordinators"),
    "reopen": ("approved", "draft", "coordinators"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
@pytest.mark.parametrize("action", STEPS)
def test_workflow_step(client, cast, role, chapter_name, action):
    chapter = getattr(cast, chapter_name)
    before_state, after_state, who = STEPS[action]
    prepare(cast, chapter, before_state)
    before = snapshot()
    url = reverse("admin:themes_chapter_workflow", args=[chapter.pk, action])
    data = {"comment": "Graag aanvullen.", "seen_version": chapter.version}
    response = client_for(client, cast, role).post(url, data)
    expected = reach(role, chapter_name)
    allowed = expected == "coordinator" or (expected == "own" and who == "editors")
    if allowed:
        assert response.status_code == 302 and response["Location"] == change_url(chapter)
        chapter.refresh_from_db()
        assert chapter.state == after_state
        entry = AuditEntry.objects.for_object(chapter).first()
        assert (entry.action, entry.user, entry.to_state) == (action, getattr(cast, role), after_state)
        return
    if expected == "login":
        assert_login_redirect(response)
    else:
        assert response.status_code == {"hidden": 404, "own": 403, "viewer": 403}[expected]
    assert snapshot() == before


@pytest.mark.parametrize("action", STEPS)
def test_workflow_steps_only_answer_post(client, cast, action):
    client.force_login(cast.coordinator)
    response = client.get(reverse("admin:themes_chapter_workflow", args=[cast.chapter_a.pk, action]))
    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_publish(client, cast, role):
    for chapter in (cast.chapter_a, cast.chapter_b):
        prepare(cast, chapter, "approved")
    before = snapshot()
    url = reverse("admin:kib_edition_workflow", args=[cast.edition.pk, "publish"])
    response = client_for(client, cast, role).post(url, {"confirm": "on"})
    cast.edition.refresh_from_db()
    if role == "coordinator":
        assert response.status_code == 302 and cast.edition.state == Edition.State.PUBLISHED
        return
    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == 403
    assert snapshot() == before


def test_editor_of_another_edition_does_not_even_see_this_one(client, cast):
    outsider = f.editor()
    client.force_login(outsider)
    response = client.post(reverse("admin:kib_edition_workflow", args=[cast.edition.pk, "publish"]))
    assert response.status_code == 404


# -- comments ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_comment(client, cast, role, chapter_name):
    chapter = getattr(cast, chapter_name)
    before = snapshot()
    url = reverse("admin:themes_chapter_comment", args=[chapter.pk])
    response = client_for(client, cast, role).post(url, {"text": "Zie figuur 2"})
    expected = reach(role, chapter_name)
    if expected in ("own", "coordinator"):
        assert response.status_code == 302 and ReviewComment.objects.get().author == getattr(cast, role)
        return
    if expected == "login":
        assert_login_redirect(response)
    else:
        assert response.status_code == {"hidden": 404, "viewer": 403}[expected]
    assert snapshot() == before
