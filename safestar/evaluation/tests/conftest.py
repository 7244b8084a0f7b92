import datetime

import pytest
from django.utils import timezone

from conftest import CHANGGANG, load_scheme


@pytest.fixture
def users(world):
    from safestar.org.models import Department, Division, User
    from safestar.org.roles import Role

    people = {u.username: u for u in User.objects.all()}
    # A county-level department user (公安局) who scores only the indicators of its own field.
    people["county_police"] = User.objects.create(
        username="county_police", role=Role.DEPARTMENT, division=Division.objects.get(code="411422000000"),
        department=Department.objects.get(name="睢县公安局"), password_changed_at=timezone.now(),
    )
    return people


@pytest.fixture
def open_round(users):
    """open_round(pass_mark=85, area=CHANGGANG, deadlines=None) → a 2023 round of 长岗镇's scheme (a
    low pass mark lets villages without ledger data pass); deadlines (self, town, county) default
    to 2024-01-31 each."""
    from safestar.evaluation import services
    from safestar.org.models import Division

    def _open(pass_mark=85, area=CHANGGANG, issuer=CHANGGANG, deadlines=None):
        from safestar.creation.tests.factories import confirmed_applications

        scheme = load_scheme(issuer, **{"pass_mark: 85": f"pass_mark: {pass_mark}"})
        confirmed_applications(scheme, area)  # every village of the area applied and was confirmed
        d = datetime.date(2024, 1, 31)
        return services.open_round(scheme, Division.objects.get(code=area), *(deadlines or (d, d, d)), users["county"])

    return _open


def settle(entry, users):
    """Give the points of every undetermined indicator of a submitted entry (the task force, with
    a reason), so the entry can be recognised."""
    from safestar.evaluation import services

    for indicator in services.entry_result(entry).indicators:
        if indicator.awarded is None:
            services.save_line(entry, indicator.code, users["taskforce"], points=indicator.points, reason="经核查已落实")


def run_to_county(round, users, skip=()):
    """Every village of the round submitted (by the town office on their behalf), reviewed by the
    task force and forwarded by the town office."""
    from safestar.evaluation import services
    from safestar.org.models import Division

    for entry in round.entries.select_related("village", "round__scheme").exclude(village__code__in=skip):
        assert services.submit(entry, users["town"])
        settle(entry, users)
        assert services.review(entry, users["taskforce"])
    if not skip:
        assert services.forward_town(round, Division.objects.get(code=round.area.code), users["town"])


def fetch_document(client, url):
    """A report link starts a background job (run at once in tests) and sends the user to its page,
    which offers the file: follow that path and return the file's response."""
    import re

    started = client.get(url)
    assert started.status_code == 302 and "/evaluation/documents/" in started["Location"]
    page = client.get(started["Location"])
    assert page.status_code == 200 and "文件已生成" in page.content.decode()
    link = re.search(r'href="(/evaluation/documents/[0-9a-f-]+/file)"', page.content.decode()).group(1)
    response = client.get(link)
    assert response.status_code == 200
    return response
