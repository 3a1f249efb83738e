"""Public pages read through statements built and compiled once per connection (``kib.db.rows.kept_query``):
after a first request, building a page compiles no SQL but the tracker's filtered results and search's query."""

from unittest import mock

import pytest
from django.db import connections
from django.db.models.sql.compiler import SQLCompiler

from bench.bench_growth import public_pages, subjects

pytestmark = pytest.mark.django_db

# The pages built anew on each request (the public cache is off under tests) and the statements each still
# compiles per request, as measured on the demo: the tracker builds its filtered results (their count, page and
# the filter form's choices) per request, search its own query.
COMPILED_PER_REQUEST = {
    "home": 0,
    "edition page": 0,
    "chapter page (most figures)": 0,
    "indicator page (largest)": 0,
    "recommendation tracker": 13,
    "recommendation timeline": 0,
    "search": 2,
}


def test_after_the_first_request_a_page_compiles_no_sql_of_its_own(demo_db, client):
    pages = public_pages(subjects())
    compiled = {}
    for name in COMPILED_PER_REQUEST:
        url = pages[name]
        with mock.patch("kib.db.rows.compile_query", return_value=None):  # nothing kept: every query built anew
            plain = client.get(url)
        connections["default"].__dict__.pop("_kib_kept_queries", None)  # forget the refusals made under the patch
        assert client.get(url).status_code == 200, url  # compiled on the first request
        with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
            response = client.get(url)
        assert response.status_code == 200, url
        assert response.content == plain.content  # the same page as with every query built anew
        compiled[name] = as_sql.call_count
    assert compiled == COMPILED_PER_REQUEST
