"""The village page (its panels from every app) costs a fixed number of queries, warm: the same with
few and with many records in the village."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import VILLAGE1, load_scheme, make_record
from safestar.core.ledger import LEDGERS

# Per persona, warm (the stored results): session; the user with their division and whether they have
# an authenticator (org/middleware.py AccountBackend); the village with whether the user may edit it; its ancestors with whether each is in
# scope; the count of its children (grids); then each panel the persona may see: 三零 (the years and
# the counts), 村基本情况 (the profile, the 一村一警 officer, the legal advisers, the population, and the
# four counts shown per 1,000 residents in one query: core/metrics.py batched()), key persons (the
# counts, the overdue visits), the scorecard (the schemes, the results' generation and the stored
# result: shared with the warnings panel), creation (the applications, the open and overdue
# rectifications in one query, the 包村领导), work reports, the evaluation (entries, stars), 预测预警
# (the scheme of the default year, read with the year in one query; one query per kind of sign, the
# two dispute signs sharing one). The session is not saved (it is
# renewed at most once a minute, org/middleware.py RenewingSessionMiddleware).
VILLAGE_PAGE_QUERIES = {"village1": 23, "town": 29, "county": 25}


def _warm_count(client, url):
    client.get(url)  # computes and stores the results, warms the session
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize("persona", sorted(VILLAGE_PAGE_QUERIES))
def test_the_village_page_costs_the_same_queries_with_few_and_many_records(login, django_assert_num_queries, persona):
    load_scheme()
    make_record("village-profiles", VILLAGE1)  # with a population: the panel shows the rates per 1,000 residents
    client = login(persona)
    url = f"/divisions/{VILLAGE1}/"
    few = _warm_count(client, url)
    from safestar.incidents.models import IncidentKind

    fraud = IncidentKind.objects.get(code="telecom_fraud")
    for n in range(30):
        make_record("incidents", VILLAGE1, kind=fraud, occurred_on=datetime.date(2023, 1 + n % 12, 1), title=f"诈骗{n}", recognised=n % 2 == 0)
        make_record(sorted(set(LEDGERS) - {"village-profiles"})[n % (len(LEDGERS) - 1)], VILLAGE1)
    many = _warm_count(client, url)
    assert few == many == VILLAGE_PAGE_QUERIES[persona], (few, many)
    with django_assert_num_queries(VILLAGE_PAGE_QUERIES[persona]):
        client.get(url)
