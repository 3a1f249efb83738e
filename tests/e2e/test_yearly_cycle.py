"""Starting next year's edition and planning it, in Debian's Chromium, as the people who do it.

The coordinator starts 2026 from the published 2025 with a reporting period, a publication
date and a default deadline (a form, confirmed), then assigns three chapters to UNICEF in one
bulk action with their own deadline; UNICEF's editor finds the three on "Mijn werk", with the
days left and the texts carried over from 2025 still to look at.
Screenshots: ``e2e-screenshots/cycle-*.png``.
"""

import datetime

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "kinderrechten-demo"


@pytest.fixture
def edition_2025():
    """2025 published with three chapters nobody leads yet."""
    from tests import factories as f

    unicef = f.organisation("UNICEF Nederland", short_name="UNICEF", slug="unicef")
    edition = f.edition(year=2025, title="Kinderrechten in Beweging 2025", publication_date=datetime.date(2025, 10, 20))
    for number, title in ((1, "Discriminatie"), (3, "Geweld tegen kinderen"), (6, "Armoede")):
        theme = f.theme(number, title=title, nav_label=title, slug=f"thema-{number}")
        f.chapter(edition=edition, theme=theme, summary=f"<p>{title} in 2025.</p>", state="approved")
    f.editor(unicef, username="redacteur-unicef", password=PASSWORD)
    coordinator = f.coordinator(username="coordinator", password=PASSWORD, first_name="Coördinator")
    return f.publish(edition, by=coordinator)


def test_coordinator_starts_2026_and_plans_three_chapters_the_editor_sees_them(
    page, live_server, login, screenshot, edition_2025
):
    from kib.models import Edition

    login("coordinator")
    page.goto(f"{live_server.url}/admin/kib/edition/{edition_2025.pk}/change/")
    page.click("#edition-start-next")
    assert page.locator("#id_reporting_period_start").input_value() == "2025-03-01"  # last year's plus one
    page.fill("#id_reporting_period_start", "2025-04-01")
    page.fill("#id_reporting_period_end", "2026-03-31")
    published = datetime.date.today() + datetime.timedelta(days=300)
    page.fill("#id_publication_date", published.isoformat())
    deadline = datetime.date.today() + datetime.timedelta(days=30)
    page.fill("#id_deadline", deadline.isoformat())
    screenshot("cycle-1-start-2026-form")
    page.click("#start-next-confirm")
    assert page.locator(".errorlist").count() == 1  # not confirmed yet: nothing started
    assert not Edition.objects.filter(year=2026).exists()
    page.check("#id_confirm")
    page.click("#start-next-confirm")
    page.wait_for_url(f"{live_server.url}/admin/dashboard/2026/")
    assert "verslagperiode april 2025 – maart 2026" in page.locator(".workflow-state").inner_text()
    screenshot("cycle-2-dashboard-2026")
    new = Edition.objects.get(year=2026)
    assert set(new.chapters.values_list("deadline", flat=True)) == {deadline}

    # Three chapters to UNICEF in one go, with an earlier deadline.
    page.goto(f"{live_server.url}/admin/themes/chapter/?edition__id__exact={new.pk}")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "plan_chapters")
    page.click("button[name=index]")
    page.check("#id_set_lead")
    page.select_option("#id_lead_organisation", label="UNICEF")
    page.check("#id_set_deadline")
    own_deadline = datetime.date.today() + datetime.timedelta(days=12)
    page.fill("#id_deadline", own_deadline.isoformat())
    screenshot("cycle-3-plan-three-chapters")
    page.click("#plan-apply")
    assert "Gepland:" in page.locator(".messagelist").inner_text()
    screenshot("cycle-4-planned")

    # UNICEF's editor finds them on "Mijn werk".
    page.context.clear_cookies()
    login("redacteur-unicef")
    page.goto(f"{live_server.url}/admin/")
    mine = page.locator("#my-chapters ul.work-list > li")
    assert mine.count() == 3
    text = page.locator("#my-chapters").inner_text()
    assert "nog 12 dagen" in text and "overgenomen tekst nog te bekijken" in text
    screenshot("cycle-5-editor-my-work")
