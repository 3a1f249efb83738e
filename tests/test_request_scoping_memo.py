"""The scoping answers the admin keeps for one request (``kib.workflow.scoping``, ``kib.admin_base``) follow every
change that alters them within that request, and the key-figure paragraph offers only its own chapter's figures.

UNICEF leads ``chapter_a`` (``editor_a``), Defence for Children leads ``chapter_b``.
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from kib.workflow import scoping, services
from tests import factories as f
from tests.test_permissions import change_url, form_data
from themes.models import Chapter, Figure, KeyFigureParagraph

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast():
    return f.workflow_cast()


def request_of(user):
    request = RequestFactory().get("/beheer/")
    request.user = user
    return request


def test_visible_chapter_ids_are_read_once_per_request(cast, django_assert_num_queries):
    request = request_of(cast.editor_a)
    assert scoping.visible_chapter_ids(request) == [cast.chapter_a.pk]
    with django_assert_num_queries(0):
        assert scoping.visible_chapter_ids(request) == [cast.chapter_a.pk]
    assert scoping.visible_chapter_ids(request_of(cast.editor_b)) == [cast.chapter_b.pk]  # per request, per user
    assert scoping.visible_chapter_ids(request_of(cast.coordinator)) is None  # every chapter


def test_visible_chapter_ids_follow_a_new_contribution_and_a_new_lead_in_the_same_request(cast):
    request = request_of(cast.editor_a)
    assert scoping.visible_chapter_ids(request) == [cast.chapter_a.pk]
    cast.chapter_b.contributing_organisations.add(cast.unicef)
    assert sorted(scoping.visible_chapter_ids(request)) == sorted([cast.chapter_a.pk, cast.chapter_b.pk])
    cast.chapter_b.contributing_organisations.remove(cast.unicef)
    assert scoping.visible_chapter_ids(request) == [cast.chapter_a.pk]
    cast.chapter_a.lead_organisation = cast.defence
    cast.chapter_a.save()
    assert scoping.visible_chapter_ids(request) == []
    new = f.chapter(edition=cast.edition, lead_organisation=cast.unicef)
    assert scoping.visible_chapter_ids(request) == [new.pk]


def test_the_admin_lists_only_what_the_request_reaches(cast):
    chapter_admin = admin.site._registry[Chapter]
    figure_a = Figure.objects.create(chapter=cast.chapter_a, number=1, title="A", source_line="CBS")
    Figure.objects.create(chapter=cast.chapter_b, number=1, title="B", source_line="CBS")
    figure_admin = admin.site._registry[Figure]
    request = request_of(cast.editor_a)
    assert list(chapter_admin.get_queryset(request)) == [cast.chapter_a]
    assert list(figure_admin.get_queryset(request)) == [figure_a]
    cast.chapter_b.contributing_organisations.add(cast.unicef)
    assert set(chapter_admin.get_queryset(request)) == {cast.chapter_a, cast.chapter_b}


def test_a_workflow_step_in_the_same_request_is_decided_afresh(cast):
    chapter_admin = admin.site._registry[Chapter]
    request = request_of(cast.editor_a)
    chapter = Chapter.objects.select_related("edition").get(pk=cast.chapter_a.pk)
    assert chapter_admin.has_change_permission(request, chapter)
    services.submit_chapter(chapter, cast.editor_a)
    assert chapter.state == Chapter.State.SUBMITTED
    assert not chapter_admin.has_change_permission(request, chapter)
    # The same chapter read again from the database (as a later step of the request would) is refused too.
    assert not chapter_admin.has_change_permission(request, Chapter.objects.get(pk=chapter.pk))
    # Another organisation's chapter never was changeable, before or after.
    assert not chapter_admin.has_change_permission(request, Chapter.objects.get(pk=cast.chapter_b.pk))


def test_a_published_edition_is_never_remembered(cast):
    """A correction opened in the same request lets a coordinator change the published edition's chapter."""
    chapter_admin = admin.site._registry[Chapter]
    f.approve(cast.chapter_a, by=cast.coordinator_2)
    f.approve(cast.chapter_b, by=cast.coordinator_2)
    services.publish_edition(cast.edition, cast.coordinator)
    request = request_of(cast.coordinator)
    chapter = Chapter.objects.select_related("edition").get(pk=cast.chapter_a.pk)
    assert not chapter_admin.has_change_permission(request, chapter)
    services.open_correction(cast.edition, cast.coordinator, "Een fout in de tekst")
    assert chapter_admin.has_change_permission(request, chapter)


def test_permission_flags_follow_django_s_permission_cache_and_the_superuser_flag(cast):
    from django.contrib.auth.models import Group

    from kib.workflow.roles import COORDINATOR

    user = cast.editor_a
    assert not scoping.is_coordinator(user) and not scoping.sees_all_chapters(user)
    user.groups.add(Group.objects.get(name=COORDINATOR))
    # Django keeps the permissions it read on the user object, and so does the memo...
    assert not scoping.is_coordinator(user)
    # ... until that cache goes (a user object read again starts without it).
    del user._perm_cache, user._group_perm_cache, user._user_perm_cache
    assert scoping.is_coordinator(user)
    fresh = type(user).objects.get(pk=cast.editor_b.pk)
    assert not scoping.sees_all_chapters(fresh)
    fresh.is_superuser = True
    assert scoping.sees_all_chapters(fresh)
    fresh.is_superuser = False
    assert not scoping.sees_all_chapters(fresh)
    fresh.is_active = False
    assert not scoping.sees_all_chapters(fresh) and not scoping.is_coordinator(fresh)


def key_figure_formset(response):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is KeyFigureParagraph:
            return inline.formset
    raise AssertionError("no key-figure paragraphs on the page")


def test_a_key_figure_paragraph_offers_only_its_own_chapter_s_figures(client, cast):
    own = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Meldingen UNICEF", source_line="CBS")
    # Another chapter UNICEF may edit, and another organisation's.
    other_chapter = f.chapter(edition=cast.edition, lead_organisation=cast.unicef)
    other_own = Figure.objects.create(chapter=other_chapter, number=1, title="Andere figuur", source_line="CBS")
    Figure.objects.create(chapter=cast.chapter_b, number=1, title="Meldingen Defence", source_line="CBS")
    paragraph = KeyFigureParagraph.objects.create(chapter=cast.chapter_a, position=1, title="Alinea", figure=own)
    client.force_login(cast.editor_a)
    response = client.get(change_url(cast.chapter_a, "kengetallen"))
    formset = key_figure_formset(response)
    assert list(formset.forms[0].fields["figure"].queryset) == [own]
    assert "Andere figuur" not in response.content.decode() and "Meldingen Defence" not in response.content.decode()

    data = form_data(response)
    data[formset.forms[0].add_prefix("figure")] = str(other_own.pk)
    refused = client.post(change_url(cast.chapter_a, "kengetallen"), data)
    assert refused.status_code == 200
    assert key_figure_formset(refused).forms[0].errors["figure"]
    paragraph.refresh_from_db()
    assert paragraph.figure == own

    data[formset.forms[0].add_prefix("figure")] = ""
    assert client.post(change_url(cast.chapter_a, "kengetallen"), data).status_code == 302
    paragraph.refresh_from_db()
    assert paragraph.figure is None


def test_a_submitted_chapter_s_key_figures_offer_no_figures(client, cast):
    own = Figure.objects.create(chapter=cast.chapter_a, number=1, title="Meldingen UNICEF", source_line="CBS")
    paragraph = KeyFigureParagraph.objects.create(chapter=cast.chapter_a, position=1, title="Alinea", figure=own)
    services.submit_chapter(cast.chapter_a, cast.editor_a)
    client.force_login(cast.editor_a)
    response = client.get(change_url(cast.chapter_a, "kengetallen"))
    assert response.status_code == 200
    # Shown read-only, with the figure placed: nothing to choose from.
    assert not key_figure_formset(response).forms[0].fields["figure"].queryset.exists()
    assert "Meldingen UNICEF" in response.content.decode()
    paragraph.refresh_from_db()
    assert paragraph.figure == own


def test_visible_chapter_ids_are_the_rows_of_visible_chapters_for_everybody(cast):
    from django.contrib.auth.models import AnonymousUser

    cast.chapter_a.contributing_organisations.add(cast.unicef, cast.defence)  # lead and contributor: one row
    f.chapter(edition=cast.edition, lead_organisation=cast.defence).contributing_organisations.add(cast.unicef)
    for user in (cast.editor_a, cast.editor_b, cast.coordinator, cast.administrator, AnonymousUser()):
        ids = scoping.visible_chapter_ids(request_of(user))
        expected = sorted(scoping.visible_chapters(user).values_list("pk", flat=True))
        assert (sorted(Chapter.objects.values_list("pk", flat=True)) if ids is None else sorted(ids)) == expected


def test_permission_flags_are_remembered_for_the_request_s_lazy_user(cast, monkeypatch):
    """``request.user`` is a lazy object: the memo must reach the user behind it."""
    from django.utils.functional import SimpleLazyObject

    user_class = type(cast.editor_a)
    lazy = SimpleLazyObject(lambda: user_class.objects.get(pk=cast.editor_a.pk))
    assert not scoping.is_coordinator(lazy) and not scoping.sees_all_chapters(lazy)
    calls = []
    original = user_class.has_perm

    def counted(user, perm, obj=None):
        calls.append(perm)
        return original(user, perm, obj)

    monkeypatch.setattr(user_class, "has_perm", counted)
    for _ in range(3):
        assert not scoping.is_coordinator(lazy) and not scoping.sees_all_chapters(lazy)
    assert calls == []


def test_a_section_page_carries_the_version_of_the_chapter_it_shows(client, cast):
    Chapter.objects.filter(pk=cast.chapter_a.pk).update(version=7)
    client.force_login(cast.editor_a)
    response = client.get(change_url(cast.chapter_a, "stand"))
    form = response.context["adminform"].form
    assert form["chapter_version"].value() == 7
    assert 'name="chapter_version" value="7"' in response.content.decode()
    data = form_data(response)
    Chapter.objects.filter(pk=cast.chapter_a.pk).update(version=8)  # somebody saved meanwhile
    data["summary"] = "<p>Van mij</p>"
    refused = client.post(change_url(cast.chapter_a, "stand"), data)
    assert refused.status_code == 200 and "Iemand anders heeft dit hoofdstuk opgeslagen" in refused.content.decode()
    assert Chapter.objects.get(pk=cast.chapter_a.pk).summary != "<p>Van mij</p>"
