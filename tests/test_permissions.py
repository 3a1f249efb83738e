"""Who may do what in the admin: roles × actions × own and other organisation's chapter.

Every refusal is checked twice: the status code, and that the database is exactly as it was.
UNICEF leads ``chapter_a``, Defence for Children leads ``chapter_b``; ``editor_a`` works for
UNICEF, ``editor_b`` for Defence for Children. Each chapter has a figure and an indicator with
one observation. The rules themselves live in ``kib/workflow/scoping.py``; the last section
checks that module directly for what has no admin page of its own (PDF builds, previews, logs).
"""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportLog, Observation
from kib.models import Edition, Source
from kib.publication.models import PdfBuild
from kib.workflow import scoping, services
from kib.workflow.models import AuditEntry, ReviewComment
from tests import factories as f
from themes.models import Chapter, Citation, Figure

pytestmark = pytest.mark.django_db


ROLES = ["anonymous", "editor_a", "editor_b", "coordinator", "administrator"]
CHAPTERS = ["chapter_a", "chapter_b"]
OWN = {"editor_a": "chapter_a", "editor_b": "chapter_b"}


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    cast.figure_a = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Meldingen UNICEF", source_line="CBS")
    cast.figure_b = Figure.objects.create(
        chapter=cast.chapter_b, number=1, title="Meldingen Defence", source_line="CBS"
    )
    cast.indicator_a = f.indicator(cast.chapter_a.theme, code="armoede-unicef", name="Kinderen in armoede")
    cast.indicator_b = f.indicator(
        cast.chapter_b.theme, code="jeugdinrichting-defence", name="Jongeren in een inrichting"
    )
    f.observation(cast.indicator_a, "2023", "100")
    f.observation(cast.indicator_b, "2023", "200")
    return cast


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


def change_url(chapter, section="stand"):
    """The chapter's page of one section (the summary's, "Zo staat het ervoor", unless told)."""
    return reverse("admin:themes_chapter_change", args=[chapter.pk]) + f"?sectie={section}"


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
        assert response.status_code == 302 and response["Location"] == reverse("admin:themes_chapter_change", args=[chapter.pk])
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
    # The cast's figures have numbers but no chart yet: a warning, published over with a reason.
    response = client_for(client, cast, role).post(url, {"confirm": "on", "reason": "Grafieken volgen."})
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


# == chapter parts and the freeze of a published edition =======================================


def figure_url(figure, action="change"):
    return reverse(f"admin:themes_figure_{action}", args=[figure.pk])


def post_unchanged_form(client, url, **changes):
    """GET the change form as the logged-in user, change some fields, POST it back."""
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_editor_changes_own_chapter_only_while_it_is_a_draft(client, cast):
    client.force_login(cast.editor_a)
    url = change_url(cast.chapter_a)
    data = form_data(client.get(url))
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    before = snapshot()
    data["summary"] = "<p>Nog snel iets</p>"
    assert client.post(url, data).status_code == 403
    assert snapshot() == before
    response = client.get(url)
    assert response.status_code == 200 and not response.context["has_change_permission"]


def test_editor_cannot_reassign_a_chapter(client, cast):
    client.force_login(cast.editor_a)
    response = post_unchanged_form(client, change_url(cast.chapter_a, "algemeen"), lead_organisation=cast.defence.pk)
    assert response.status_code == 302
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.lead_organisation == cast.unicef


def test_nobody_changes_a_published_edition_not_even_a_superuser(client, cast):
    superuser = f.user(is_superuser=True)
    client.force_login(superuser)
    chapter_url = change_url(cast.chapter_a)
    chapter_data = form_data(client.get(chapter_url))
    figure_data = form_data(client.get(figure_url(cast.figure_a)))
    edition_url = reverse("admin:kib_edition_change", args=[cast.edition.pk])
    edition_data = form_data(client.get(edition_url))
    f.publish(cast.edition, by=cast.coordinator)
    before = snapshot()
    chapter_data["summary"] = figure_data["title"] = edition_data["title"] = "Gewijzigd"
    for user in (superuser, cast.coordinator, cast.editor_a):
        client.force_login(user)
        assert client.post(chapter_url, chapter_data).status_code == 403
        assert client.post(figure_url(cast.figure_a), figure_data).status_code == 403
        assert client.post(figure_url(cast.figure_a, "delete"), {"post": "yes"}).status_code == 403
    client.force_login(superuser)
    assert client.post(edition_url, edition_data).status_code == 403
    record = cast.chapter_a.history.earliest()
    revert_url = reverse("admin:themes_chapter_simple_history", args=[cast.chapter_a.pk, record.history_id])
    assert client.post(revert_url, chapter_data).status_code == 403
    assert snapshot() == before
    response = client.get(chapter_url)
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert "alleen tijdens een correctie" in response.content.decode()


def test_a_correction_lets_coordinators_change_the_published_edition(client, cast):
    f.publish(cast.edition, by=cast.coordinator)
    services.open_correction(cast.edition, by=cast.coordinator, reason="Typfout")
    url = change_url(cast.chapter_a)
    client.force_login(cast.coordinator)
    assert post_unchanged_form(client, url, summary="<p>Verbeterd</p>").status_code == 302
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.summary == "<p>Verbeterd</p>" and cast.chapter_a.state == Chapter.State.APPROVED
    client.force_login(cast.editor_a)
    response = client.get(url)
    assert not response.context["has_change_permission"]


def test_editor_sees_only_the_parts_of_own_chapters(client, cast):
    client.force_login(cast.editor_a)
    response = client.get(reverse("admin:themes_figure_changelist"))
    assert list(response.context["cl"].result_list) == [cast.figure_a]
    assert client.get(figure_url(cast.figure_a)).status_code == 200
    assert client.get(figure_url(cast.figure_b)).status_code == 302
    assert client.get(reverse("admin:themes_figure_history", args=[cast.figure_b.pk])).status_code == 404


def test_saving_a_part_counts_as_a_save_of_its_chapter(client, cast):
    client.force_login(cast.editor_a)
    response = post_unchanged_form(client, figure_url(cast.figure_a), title="Meldingen 2024")
    assert response.status_code == 302
    cast.chapter_a.refresh_from_db()
    assert (cast.chapter_a.version, cast.chapter_a.revised_by) == (2, cast.editor_a)


def test_foreign_key_choices_offer_only_chapters_the_user_may_edit(client, cast):
    client.force_login(cast.editor_a)
    form = client.get(reverse("admin:themes_figure_add")).context["adminform"].form
    assert list(form.fields["chapter"].queryset) == [cast.chapter_a]
    client.force_login(cast.coordinator)
    form = client.get(reverse("admin:themes_figure_add")).context["adminform"].form
    assert set(form.fields["chapter"].queryset) == {cast.chapter_a, cast.chapter_b}


def test_editor_cannot_add_a_part_to_another_organisations_chapter(client, cast):
    client.force_login(cast.editor_a)
    before = snapshot()
    response = client.post(
        reverse("admin:themes_figure_add"), {"chapter": cast.chapter_b.pk, "number": 2, "title": "Ingeslopen"}
    )
    assert response.status_code == 200 and "chapter" in response.context["adminform"].form.errors
    assert snapshot() == before


def test_autocomplete_offers_only_reachable_sources(client, cast):
    own = Source.objects.create(url="https://example.org/eigen", title="Rapport eigen")
    other = Source.objects.create(url="https://example.org/ander", title="Rapport ander")
    fresh = Source.objects.create(url="https://example.org/nieuw", title="Rapport nieuw")
    Citation.objects.create(source=own, chapter=cast.chapter_a, target=cast.figure_a)
    Citation.objects.create(source=other, chapter=cast.chapter_b, target=cast.figure_b)
    client.force_login(cast.editor_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "themes", "model_name": "citation", "field_name": "source", "term": "Rapport"},
    )
    found = {int(r["id"]) for r in json.loads(response.content)["results"]}
    assert found == {own.pk, fresh.pk}


def test_editor_does_not_change_a_source_cited_by_another_organisation(client, cast):
    shared = Source.objects.create(url="https://example.org/gedeeld", title="Gedeeld")
    Citation.objects.create(source=shared, chapter=cast.chapter_a, target=cast.figure_a)
    Citation.objects.create(source=shared, chapter=cast.chapter_b, target=cast.figure_b)
    client.force_login(cast.editor_a)
    url = reverse("admin:kib_source_change", args=[shared.pk])
    assert not client.get(url).context["has_change_permission"]
    assert client.post(url, {"url": shared.url, "title": "Anders"}).status_code == 403
    shared.refresh_from_db()
    assert shared.title == "Gedeeld"


def test_bulk_delete_stops_at_objects_the_user_may_not_delete(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_figure_changelist")
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": [cast.figure_a.pk, cast.figure_b.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert Figure.objects.count() == 2
    response = client.post(url, {"action": "delete_selected", "_selected_action": [cast.figure_a.pk]})
    assert response.status_code == 200 and response.context["perms_lacking"]


def test_bulk_delete_of_own_draft_parts_works_and_ignores_other_organisations(client, cast):
    client.force_login(cast.editor_a)
    url = reverse("admin:themes_figure_changelist")
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": [cast.figure_a.pk, cast.figure_b.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert list(Figure.objects.all()) == [cast.figure_b]
    cast.chapter_a.refresh_from_db()
    assert cast.chapter_a.version == 2


@pytest.mark.parametrize("url_name", ["auth_user_changelist", "kib_organisation_changelist"])
def test_administrators_manage_accounts_and_organisations_editors_do_not(client, cast, url_name):
    client.force_login(cast.administrator)
    assert client.get(reverse(f"admin:{url_name}")).status_code == 200
    client.force_login(cast.editor_a)
    assert client.get(reverse(f"admin:{url_name}")).status_code == 403


def test_the_log_shows_editors_only_their_own_chapters(client, cast):
    services.submit_chapter(cast.chapter_a, by=cast.editor_a)
    services.submit_chapter(cast.chapter_b, by=cast.editor_b)
    client.force_login(cast.editor_a)
    entries = client.get(reverse("admin:workflow_auditentry_changelist")).context["cl"].result_list
    assert [e.object_id for e in entries] == [cast.chapter_a.pk]
    client.force_login(cast.coordinator)
    assert len(client.get(reverse("admin:workflow_auditentry_changelist")).context["cl"].result_list) == 2


# == import and export of figures ==============================================================


HEADER = "indicator,periode,gebied,geslacht,leeftijdsgroep,uitsplitsing,waarde,vlag,toelichting\r\n"


def indicator_of(cast, chapter_name):
    return cast.indicator_a if chapter_name == "chapter_a" else cast.indicator_b


def observations():
    return list(Observation.objects.order_by("pk").values_list("indicator__code", "period", "value"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_export(client, cast, role, chapter_name):
    response = client_for(client, cast, role).post(reverse("admin:indicators_observation_export"), {"format": "0"})
    expected = reach(role, chapter_name)
    if expected == "login":
        return assert_login_redirect(response)
    if expected == "viewer":  # administrators manage accounts, not figures
        assert response.status_code == 403
        return
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    exported = indicator_of(cast, chapter_name).code in response.content.decode("utf-8-sig")
    assert exported == (expected != "hidden")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("chapter_name", CHAPTERS)
def test_import(client, cast, role, chapter_name):
    before = observations()
    code = indicator_of(cast, chapter_name).code
    upload = SimpleUploadedFile("cijfers.csv", f"{HEADER}{code},2024,NL,,,,150,,\r\n".encode())
    response = client_for(client, cast, role).post(
        reverse("admin:indicators_observation_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    expected = reach(role, chapter_name)
    if expected == "login":
        assert_login_redirect(response)
    elif expected == "viewer":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        form = response.context.get("confirm_form")
        if expected == "hidden":
            assert not form
        else:
            data = {name: form.initial.get(name, "") for name in form.fields}
            data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
            assert client.post(reverse("admin:indicators_observation_process_import"), data).status_code == 302
            assert observations() == [*before, (code, "2024", 150)]
            return
    assert observations() == before


# == the scoping module itself: builds, previews, import logs, indicators ==========================


def test_indicators_and_their_rows_are_scoped_by_chapter(cast):
    assert set(scoping.visible_indicators(cast.editor_a)) == {cast.indicator_a}
    assert set(scoping.visible_indicators(cast.coordinator)) == {cast.indicator_a, cast.indicator_b}
    assert not scoping.visible_indicators(AnonymousUser()).exists()
    rows = scoping.scope_by_indicator(cast.editor_b, Observation.objects.all())
    assert {o.indicator for o in rows} == {cast.indicator_b}


def test_pdf_builds_and_previews_are_scoped_by_chapter(cast):
    own = PdfBuild.objects.create(edition=cast.edition, kind=PdfBuild.Kind.PREVIEW, chapter=cast.chapter_a)
    other = PdfBuild.objects.create(edition=cast.edition, kind=PdfBuild.Kind.PREVIEW, chapter=cast.chapter_b)
    whole = PdfBuild.objects.create(edition=cast.edition, kind=PdfBuild.Kind.PREVIEW, requested_by=cast.coordinator)
    assert set(scoping.visible_pdf_builds(cast.editor_a, PdfBuild.objects.all())) == {own}
    assert set(scoping.visible_pdf_builds(cast.coordinator, PdfBuild.objects.all())) == {own, other, whole}
    assert not scoping.visible_pdf_builds(AnonymousUser(), PdfBuild.objects.all()).exists()
    assert scoping.can_preview(cast.editor_a, cast.edition, cast.chapter_a)
    assert not scoping.can_preview(cast.editor_a, cast.edition, cast.chapter_b)
    assert not scoping.can_preview(cast.editor_a, cast.edition)  # the whole edition: coordinators only
    assert scoping.can_preview(cast.coordinator, cast.edition)
    assert not scoping.can_preview(AnonymousUser(), cast.edition, cast.chapter_a)
    assert scoping.can_view_pdf_builds(cast.editor_a) and not scoping.can_view_pdf_builds(AnonymousUser())


def test_import_logs_are_seen_by_their_author_and_the_coordinators(cast):
    mine = ImportLog.objects.create(user=cast.editor_a, file_name="a.csv")
    theirs = ImportLog.objects.create(user=cast.editor_b, file_name="b.csv")
    assert set(scoping.visible_import_logs(cast.editor_a, ImportLog.objects.all())) == {mine}
    assert set(scoping.visible_import_logs(cast.coordinator, ImportLog.objects.all())) == {mine, theirs}
