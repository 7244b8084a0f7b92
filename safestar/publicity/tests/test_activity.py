"""The publicity activity: its validation (in Chinese), online / offline channels, who may see it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import VILLAGE1, VILLAGE2, make_record
from safestar.core.ledger import LEDGERS
from safestar.publicity.models import CHANNEL_CHOICES, HEADCOUNT_CHANNELS, OFFLINE_CHANNELS, ONLINE_CHANNELS, Activity, Channel


def form_data(**overrides):
    from safestar.org.models import Division

    data = {
        "division": Division.objects.get(code=VILLAGE1).pk,
        "held_on": "2023-06-15",
        "topic": "anti_fraud",
        "channel": "meeting",
        "title": "反电诈知识讲座",
        "audience": "全体村民",
        "participants": "86",
        "app_installs": "32",
        "materials": "120",
        "organiser": "长岗村村委会",
        "content": "",
    }
    return data | overrides


def errors_of(**values):
    activity = Activity(**values)
    with pytest.raises(ValidationError) as caught:
        activity.clean()
    return caught.value.message_dict


# -- validation ---------------------------------------------------------------------------------


def test_a_meeting_or_a_home_visit_must_say_how_many_people_it_reached():
    assert errors_of(channel="meeting", participants=None) == {"participants": ["会议讲座须填写覆盖人数（实际到场或走访的人数）。"]}
    assert errors_of(channel="door_to_door", participants=None) == {"participants": ["入户走访须填写覆盖人数（实际到场或走访的人数）。"]}
    assert errors_of(channel="door_to_door", participants=0) == {"participants": ["入户走访的覆盖人数应大于 0。"]}


@pytest.mark.parametrize("channel", sorted(set(Channel.values) - HEADCOUNT_CHANNELS))
def test_other_channels_may_leave_the_people_reached_blank(channel):
    Activity(channel=channel, participants=None).clean()  # a screen or a board cannot count heads


def test_app_installs_cannot_exceed_the_people_reached():
    assert errors_of(channel="wechat", participants=20, app_installs=21) == {
        "app_installs": ["推广安装反诈APP人次（21）不能多于覆盖人数（20）。"]
    }
    Activity(channel="meeting", participants=20, app_installs=20).clean()
    Activity(channel="board", participants=None, app_installs=5).clean()  # nobody counted: nothing to compare


def test_the_form_shows_the_rules_in_chinese(login):
    client = login("grid1")
    response = client.post("/ledgers/publicity/new/", form_data(participants=""))
    assert response.status_code == 200
    assert "会议讲座须填写覆盖人数（实际到场或走访的人数）。" in response.content.decode()
    response = client.post("/ledgers/publicity/new/", form_data(participants="-3"))
    assert "确保该值大于或等于0。" in response.content.decode()
    response = client.post("/ledgers/publicity/new/", form_data(channel="telegram"))
    assert "选择一个有效的选项" in response.content.decode()
    assert not Activity.objects.exists()


def test_grid_worker_records_an_activity(login):
    response = login("grid1").post("/ledgers/publicity/new/", form_data())
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.division.code, activity.participants, activity.app_installs, activity.created_by.username) == (
        VILLAGE1, 86, 32, "grid1"
    )
    assert str(activity) == "2023-06-15 反电诈知识讲座"


def test_the_api_refuses_a_meeting_without_people_reached(client, world):
    from safestar.org.models import ApiToken, User

    _, token = ApiToken.issue(User.objects.get(username="grid1"))
    payload = {"village": VILLAGE1, "held_on": "2023-06-15", "topic": "law", "channel": "door_to_door", "title": "入户普法"}
    response = client.post("/api/v1/publicity/", payload, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.json()["errors"]["participants"] == ["入户走访须填写覆盖人数（实际到场或走访的人数）。"]


def test_the_example_is_a_valid_record(world):
    make_record("publicity", VILLAGE1).full_clean()


# -- online and offline -------------------------------------------------------------------------


def test_channels_are_online_or_offline():
    assert ONLINE_CHANNELS == {"tv", "sms", "wechat", "douyin"}
    assert OFFLINE_CHANNELS == {"loudspeaker", "screen", "board", "bus_ad", "meeting", "door_to_door", "other"}
    assert ONLINE_CHANNELS | OFFLINE_CHANNELS == set(Channel.values) and not ONLINE_CHANNELS & OFFLINE_CHANNELS
    assert [(a.online, a.channel_kind) for a in (Activity(channel="douyin"), Activity(channel="bus_ad"))] == [
        (True, "线上"), (False, "线下")
    ]


def test_the_form_groups_the_channels_under_online_and_offline(login):
    assert [group for group, _ in CHANNEL_CHOICES] == ["线上", "线下"]
    html = login("grid1").get("/ledgers/publicity/new/").content.decode()
    assert '<optgroup label="线上">' in html and '<optgroup label="线下">' in html


# -- the list and who sees it ---------------------------------------------------------------------


def test_the_list_filters_by_topic(login):
    fraud = make_record("publicity", VILLAGE1, topic="anti_fraud", title="反诈讲座")
    make_record("publicity", VILLAGE1, topic="anti_cult", channel="board", participants=None, app_installs=0, title="反邪教宣传栏")
    page = login("village1").get("/ledgers/publicity/", {"kind": "anti_fraud"}).context["page"]
    assert [o.pk for o in page] == [fraud.pk]


def test_the_police_station_does_not_see_publicity(login, api):
    """长岗派出所 shares security, incidents and key persons, not publicity: 404 everywhere."""
    record = make_record("publicity", VILLAGE1)
    client = login("police")
    assert client.get("/ledgers/publicity/").status_code == 404
    assert client.get(f"/ledgers/publicity/{record.pk}/").status_code == 404
    assert client.get("/ledgers/publicity/export.xlsx").status_code == 404
    assert api("police")("/publicity/").status_code == 404
    assert api("police")(f"/publicity/{record.pk}").status_code == 404


def test_the_justice_office_sees_the_publicity_of_its_town(login):
    """长岗镇司法所 shares publicity: it sees every village of 长岗镇."""
    from safestar.org.models import Department, Division, User

    mine, neighbour = make_record("publicity", VILLAGE1), make_record("publicity", VILLAGE2)
    User.objects.create(username="justice1", role="department", division=Division.objects.get(code="411422100000"),
                        department=Department.objects.get(name="长岗镇司法所"), password_changed_at=timezone.now())
    page = login("justice1").get("/ledgers/publicity/").context["page"]
    assert {o.pk for o in page} == {mine.pk, neighbour.pk}


def test_the_ledger_is_declared_as_publicity():
    ledger = LEDGERS["publicity"]
    assert (ledger.model, ledger.model.data_field, ledger.date_field, ledger.kind_field) == (Activity, "publicity", "held_on", "topic")
