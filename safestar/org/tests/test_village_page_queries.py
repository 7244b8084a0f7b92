"""The village page (its panels from every app) costs a fixed number of queries, warm: the same with
few and with many records in the village."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import VILLAGE1, load_scheme, make_record
from safestar.core.ledger import LEDGERS

# Per persona, warm (the stored results), the town office (镇平安办) seeing every panel: the session; the
# user with their division and whether they have an authenticator (org/middleware.py AccountBackend);
# the village with whether the user may edit it, the divisions above it with whether each is in scope
# and the number of its grids (org/views.py division_detail); 三零 (the years with the counts of the
# chosen year); 村基本情况 (the profile, with the population as of the day; the 一村一警 officer; the
# legal advisers); the scorecard (the village's schemes, each marked readable by the user, with the
# user's default year: schemes/services.py village_schemes(), shared with the warnings panel; the stored
# result, read with the current generation: schemes/cache.py reused(), shared too); creation (the
# applications; the 包村领导); work reports; the evaluation (entries, stars); 预测预警 (the dispute signs;
# the key-person signs; hazards; petitions); and the counts every panel shows, in ONE query
# (core/panels.py render_panels, core/metrics.py batched()): the four per 1,000 residents, the key
# persons registered, managed and overdue, the open and the overdue rectifications. 19 in all; the
# village cadre has no 预测预警 (15), the county evaluator no key persons (18). The session is not
# saved (it is renewed at most once a minute, org/middleware.py RenewingSessionMiddleware).
VILLAGE_PAGE_QUERIES = {"village1": 15, "town": 19, "county": 18}


def _warm_count(client, url):
    client.get(url)  # computes and stores the results, warms the session
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.usefixtures("drawn_pages")
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


@pytest.mark.usefixtures("drawn_pages")
def test_indicator_tasks_read_the_stored_result_not_the_facts(login):
    """A confirmed application's indicator and outcome tasks show their live state from the village's
    stored result (creation/services.py task_states, schemes/cache.py): warm, the creation panel adds
    the tasks, their application with its scheme and village, and the stored result (3), whatever the
    number of tasks and records; the facts are not gathered again for the panel."""
    from safestar.creation.tests import factories

    load_scheme()
    make_record("village-profiles", VILLAGE1)
    client = login("town")
    url = f"/divisions/{VILLAGE1}/"
    application = factories.application(VILLAGE1)
    assert application.tasks.exclude(basis="manual").count() > 10
    warm = _warm_count(client, url)
    for n in range(20):
        make_record(sorted(set(LEDGERS) - {"village-profiles"})[n % (len(LEDGERS) - 1)], VILLAGE1)
    assert warm == _warm_count(client, url) == VILLAGE_PAGE_QUERIES["town"] + 3
