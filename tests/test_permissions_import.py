"""The import and export of figures follow the same scoping: roles × own and other organisation's chapter."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Observation
from tests import factories as f
from tests.test_permissions import CHAPTERS, ROLES, assert_login_redirect, client_for, reach

pytestmark = pytest.mark.django_db

HEADER = "indicator,periode,gebied,geslacht,leeftijdsgroep,uitsplitsing,waarde,vlag,toelichting\r\n"


@pytest.fixture
def cast():
    cast = f.workflow_cast()
    cast.indicator_a = f.indicator(cast.chapter_a.theme, code="armoede-unicef", name="Kinderen in armoede")
    cast.indicator_b = f.indicator(
        cast.chapter_b.theme, code="jeugdinrichting-defence", name="Jongeren in een inrichting"
    )
    f.observation(cast.indicator_a, "2023", "100")
    f.observation(cast.indicator_b, "2023", "200")
    return cast


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
