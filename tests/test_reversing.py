"""Public addresses are reversed once per process (``kib.reversing.reverse_once``): still what ``reverse`` gives."""

import pytest
from django.test import override_settings
from django.urls import reverse, set_script_prefix, set_urlconf

from indicators.models import Indicator
from kib.models import Edition
from recommendations.models import Recommendation
from themes.models import Chapter, Theme

# Unsaved objects: get_absolute_url reads only their own fields (and a chapter's edition and theme).
EDITION = Edition(year=2031)
OBJECTS = {
    "edition": (EDITION, "public:edition", [2031]),
    "chapter": (Chapter(edition=EDITION, theme=Theme(slug="jeugdzorg")), "public:chapter", [2031, "jeugdzorg"]),
    "recommendation": (Recommendation(concluding_observations_id=7, code="15b"), "public:recommendation", [7, "15b"]),
    "indicator": (Indicator(code="wachttijd-jeugdzorg"), "public:indicator", ["wachttijd-jeugdzorg"]),
}


@pytest.mark.parametrize("kind", OBJECTS)
def test_an_address_is_what_reverse_gives_under_any_prefix_and_url_configuration(kind):
    obj, name, args = OBJECTS[kind]
    plain = obj.get_absolute_url()
    assert plain == reverse(name, args=args) and plain.startswith("/") and not plain.startswith("/kib/")
    set_script_prefix("/kib/")  # a site served below a path
    try:
        assert obj.get_absolute_url() == reverse(name, args=args) == "/kib" + plain
    finally:
        set_script_prefix("/")
    set_urlconf("tests.urls_mounted")  # a request's own URL configuration (request.urlconf)
    try:
        assert obj.get_absolute_url() == reverse(name, args=args) == "/elders" + plain
    finally:
        set_urlconf(None)
    with override_settings(ROOT_URLCONF="tests.urls_mounted"):  # another configuration for the whole site
        assert obj.get_absolute_url() == reverse(name, args=args) == "/elders" + plain
    assert obj.get_absolute_url() == plain


def test_each_object_has_its_own_address():
    assert Recommendation(concluding_observations_id=7, code="15c").get_absolute_url() == "/aanbevelingen/7/15c/"
    assert Edition(year=2032).get_absolute_url() == "/editie/2032/"
    assert Chapter(edition=Edition(year=2032), theme=Theme(slug="onderwijs")).get_absolute_url() == "/editie/2032/onderwijs/"
