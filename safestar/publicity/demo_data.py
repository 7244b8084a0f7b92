"""Demo publicity activities for the 20 villages of 长岗镇 in the demo year.

Deterministic (one seeded random.Random) and idempotent (nothing is written when the town already
has activities in the year). Each village holds 8–30 activities, mostly 反电诈 and 普法; a few
villages are weak on some topics (none at all), so that the scoring shows differences.
"""

import calendar
import datetime
import random

from django.db import transaction

from safestar.core import clock
from safestar.org.demo import TOWN, village_code
from safestar.org.models import Division, User

from .models import Activity, Channel, Topic

C = Channel
# topic → (weight, activities: (channel, title, audience, people reached (lo, hi) or None,
#                                 materials (lo, hi), app installs (lo, hi), when or None))
# when: the months it is held in, a month being a number or (month, first day, last day).
CATALOGUE = {
    Topic.ANTI_FRAUD: (30, [
        (C.MEETING, "反电诈知识讲座暨国家反诈中心APP推广", "全体村民", (40, 120), (50, 200), (15, 40), None),
        (C.DOOR_TO_DOOR, "入户指导安装国家反诈中心APP和“金钟罩”小程序", "留守老人及其子女", (20, 70), (20, 70), (10, 30), None),
        (C.WECHAT, "村民微信群推送冒充客服退款诈骗预警", "村民微信群成员", (150, 450), (0, 0), (0, 15), None),
        (C.DOUYIN, "村抖音号发布反诈情景短视频", "村民及外出务工人员", (300, 2000), (0, 0), (0, 10), None),
        (C.SMS, "群发反诈提醒短信", "全体村民", (300, 900), (0, 0), (0, 0), None),
        (C.TV, "有线电视滚动播放反诈公益广告", "全体村民", (200, 600), (0, 0), (0, 0), None),
        (C.LOUDSPEAKER, "大喇叭循环播放“刷单返利就是诈骗”提醒", "全体村民", None, (0, 0), (0, 0), None),
        (C.SCREEN, "村口电子屏滚动播放反诈标语", "过往群众", None, (0, 0), (0, 0), None),
        (C.BOARD, "更新宣传栏反电诈专栏", "全体村民", None, (0, 30), (0, 0), None),
        (C.BUS_AD, "镇村公交车身反诈公益广告", "乘车群众", None, (0, 0), (0, 0), None),
    ]),
    Topic.LAW: (20, [
        (C.MEETING, "民法典进村入户宣讲会", "全体村民", (50, 150), (80, 200), (0, 10), None),
        (C.MEETING, "“12·4”国家宪法日普法宣传", "全体村民", (60, 160), (100, 300), (0, 10), ((12, 1, 8),)),
        (C.DOOR_TO_DOOR, "“法律明白人”入户普法", "农户", (15, 60), (15, 60), (0, 5), None),
        (C.BOARD, "更新法治宣传栏", "全体村民", None, (0, 0), (0, 0), None),
        (C.LOUDSPEAKER, "大喇叭播放普法小课堂", "全体村民", None, (0, 0), (0, 0), None),
        (C.WECHAT, "微信群推送《法律援助法》解读", "村民微信群成员", (150, 400), (0, 0), (0, 0), None),
    ]),
    Topic.CASE_EXPLAINED: (8, [
        (C.MEETING, "以案释法：邻里宅基地纠纷激化为故意伤害案", "全体村民", (40, 100), (30, 100), (0, 5), None),
        (C.MEETING, "以案释法：婚姻家庭纠纷“民转刑”警示教育", "村民代表、调解员", (25, 60), (20, 60), (0, 0), None),
        (C.WECHAT, "以案释法：推送因债务纠纷非法拘禁获刑案例", "村民微信群成员", (150, 400), (0, 0), (0, 0), None),
    ]),
    Topic.ILLEGAL_FUNDRAISING: (8, [
        (C.MEETING, "防范非法集资宣传讲座", "中老年村民", (30, 90), (40, 120), (0, 10), None),
        (C.DOOR_TO_DOOR, "入户提醒警惕“养老投资”高息陷阱", "留守老人", (15, 50), (15, 50), (0, 5), None),
        (C.BOARD, "宣传栏张贴非法集资典型案例", "全体村民", None, (0, 20), (0, 0), None),
        (C.WECHAT, "微信群推送识别非法集资“四个特征”", "村民微信群成员", (150, 400), (0, 0), (0, 0), None),
    ]),
    Topic.ONLINE_GAMBLING: (6, [
        (C.MEETING, "青少年远离网络赌博主题教育", "中小学生及家长", (40, 120), (30, 100), (0, 10), (3, 4, 5, 9, 10, 11)),
        (C.WECHAT, "微信群推送网络赌博危害警示", "村民微信群成员", (150, 400), (0, 0), (0, 0), None),
        (C.LOUDSPEAKER, "大喇叭播放“远离网络赌博”提醒", "全体村民", None, (0, 0), (0, 0), None),
    ]),
    Topic.PYRAMID_SELLING: (6, [
        (C.MEETING, "返乡务工人员座谈：识别传销陷阱", "外出务工人员", (20, 60), (20, 60), (5, 20), (1, 2)),
        (C.WECHAT, "外出务工人员微信群推送防传销提醒", "外出务工人员", (80, 260), (0, 0), (0, 0), None),
        (C.DOOR_TO_DOOR, "春节走访外出务工家庭宣传防范传销", "外出务工人员家属", (15, 40), (15, 40), (0, 10), (1, 2)),
    ]),
    Topic.ANTI_CULT: (6, [
        (C.BOARD, "反邪教警示教育宣传栏", "全体村民", None, (0, 20), (0, 0), None),
        (C.DOOR_TO_DOOR, "入户发放反邪教宣传资料", "农户", (20, 60), (20, 60), (0, 0), None),
        (C.MEETING, "反邪教知识讲座", "全体村民", (40, 100), (40, 100), (0, 0), None),
    ]),
    Topic.ATHEISM: (4, [
        (C.MEETING, "崇尚科学、反对迷信无神论宣传教育", "全体村民", (40, 100), (40, 100), (0, 0), None),
        (C.BOARD, "宣传栏刊出无神论科普专版", "全体村民", None, (0, 0), (0, 0), None),
    ]),
    Topic.SAFETY: (10, [
        (C.MEETING, "防溺水安全教育", "中小学生及家长", (40, 120), (30, 100), (0, 0), (5, 6, 7, 8)),
        (C.LOUDSPEAKER, "大喇叭播放防溺水提醒", "全体村民", None, (0, 0), (0, 0), (6, 7, 8)),
        (C.MEETING, "冬季防火、防一氧化碳中毒安全教育", "全体村民", (40, 100), (30, 100), (0, 0), (11, 12, 1)),
        (C.DOOR_TO_DOOR, "入户排查用电用气安全并宣传", "独居老人", (10, 40), (10, 40), (0, 0), None),
    ]),
    Topic.OTHER: (2, [
        (C.LOUDSPEAKER, "大喇叭播放扫黑除恶常态化宣传", "全体村民", None, (0, 0), (0, 0), None),
        (C.SCREEN, "电子屏播放平安建设标语", "过往群众", None, (0, 0), (0, 0), None),
    ]),
}

# village index → the topics it never covered in the year (weak spots the scoring should show).
GAPS = {
    7: {Topic.ILLEGAL_FUNDRAISING, Topic.ANTI_CULT},
    12: {Topic.PYRAMID_SELLING, Topic.ONLINE_GAMBLING, Topic.ILLEGAL_FUNDRAISING},
    16: {Topic.ILLEGAL_FUNDRAISING, Topic.ATHEISM, Topic.CASE_EXPLAINED},
    19: {Topic.ANTI_CULT, Topic.ATHEISM, Topic.ONLINE_GAMBLING},
}
# village index → how many activities (others draw 12–26): a busy village, and two thin ones.
COUNTS = {1: 30, 6: 28, 16: 9, 19: 8}
ORGANISERS = ("{village}村委会", "{village}村委会", "长岗镇司法所", "长岗派出所")  # {village}: 长岗村 → 长岗村村委会


def _activity(rng, year, village, topic, last_day):
    channel, title, audience, reached, materials, installs, when = rng.choice(CATALOGUE[topic][1])
    month = rng.choice(when) if when else rng.randint(1, 12)
    month, first, last = month if isinstance(month, tuple) else (month, 1, calendar.monthrange(year, month)[1])
    held_on = min(datetime.date(year, month, rng.randint(first, last)), last_day)
    participants = rng.randint(*reached) if reached else None
    app = rng.randint(*installs)
    if participants is not None:
        app = min(app, participants)
    organiser = rng.choice(ORGANISERS).format(village=village.name)
    if topic == Topic.ANTI_FRAUD and channel in (C.MEETING, C.DOOR_TO_DOOR) and rng.random() < 0.5:
        organiser = "长岗派出所"
    return Activity(
        division=village, held_on=held_on, topic=topic, channel=channel, title=title, audience=audience,
        participants=participants, app_installs=app, materials=rng.randint(*materials), organiser=organiser,
    )


@transaction.atomic
def load(year):
    if year > clock.today().year or Activity.objects.filter(division__parent__code=TOWN, held_on__year=year).exists():
        return  # a year still ahead has no activities; a loaded year is left as it is
    rng = random.Random(f"safestar.publicity:{year}")
    recorder = User.objects.get(username="grid1")
    codes = [village_code(TOWN, i) for i in range(1, 21)]
    villages = Division.objects.in_bulk(codes, field_name="code")
    last_day = min(datetime.date(year, 12, 31), clock.today())  # no activity lies ahead
    topics = list(CATALOGUE)
    records = []
    for index, code in enumerate(codes, start=1):
        village = villages[code]
        allowed = [t for t in topics if t not in GAPS.get(index, ())]
        weights = [CATALOGUE[t][0] for t in allowed]
        count = COUNTS.get(index) or rng.randint(12, 26)
        for topic in rng.choices(allowed, weights=weights, k=count):
            records.append(_activity(rng, year, village, topic, last_day))
    for record in records:
        record.created_by = record.updated_by = recorder
    records.sort(key=lambda r: (r.division.code, r.held_on))
    Activity.objects.bulk_create(records)
