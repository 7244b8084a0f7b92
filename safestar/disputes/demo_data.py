"""Demo 矛盾纠纷 records for the 20 villages of 长岗镇 in the demo year.

Deterministic (one random.Random seeded with the year) and idempotent (nothing is written when the
town already has disputes or stability meetings in the year). What it shows:

- a legal advisor in every village but 朱庄村 (index 13), whose advisor's term ended (在聘：否);
  a few lawyers serve several villages, as they do;
- 5–8 mediators in post per village: a 调解委员会主任, members, mediators and grid workers, and here
  and there a former one who left (在岗：否);
- 0–6 disputes per village, most 已化解, some 已移交, a few 调解中 past their deadline (overdue);
- a few petitions, with two 信访积案 from earlier years: one settled in the year, one not;
- 4–12 stability meetings per village, monthly-ish, a few of them with early warnings.

Personal names of disputing parties and petitioners are written as 张某某, as ledgers shown to
visitors usually do. No date lies after today (deadlines excepted).
"""

import datetime
import random

from django.db import transaction

from safestar.core import clock
from safestar.org.demo import SURNAMES, TOWN, person_name as _name, phone_number as _phone, village_code
from safestar.org.models import Division, User

from .models import (
    Dispute,
    DisputeCategory as Cat,
    DisputeSource as Src,
    DisputeStage as Stage,
    LegalAdvisor,
    MeetingKind,
    Mediator,
    MediatorRole,
    Petition,
    PetitionChannel as Ch,
    PetitionStatus,
    StabilityMeeting,
)

VILLAGES = range(1, 21)
NO_ADVISOR = 13  # 朱庄村: the advisor's term ended and no new one was appointed yet

# (name, organisation, villages served)
ADVISORS = [
    ("王志强", "河南睢州律师事务所", (1, 2, 3, 4)),
    ("刘晓燕", "河南睢州律师事务所", (5, 6, 7)),
    ("陈国庆", "河南梁园律师事务所睢县分所", (8, 9, 10, 11)),
    ("赵红梅", "睢县法律援助中心", (12, 14, 15)),
    ("孙海涛", "长岗镇司法所", (16, 17, 18)),
    ("周丽娜", "河南梁园律师事务所睢县分所", (19, 20)),
]


# category → (weight, [(source, summary, result)]) of disputes as a village of the plain sees them
DISPUTES = {
    Cat.NEIGHBOUR: (30, [
        (Src.SCREENING, "两户因排水沟走向发生口角，雨后积水流入邻家院内", "调解员现场查看后协商改沟，双方握手言和"),
        (Src.REPORTED, "邻居在房后栽树遮挡采光，双方多次争吵", "经调解，栽树方移栽两棵，双方达成口头协议"),
        (Src.SCREENING, "养狗扰邻、狗咬伤邻居家禽引发争执", "调解后养狗户赔偿损失并承诺拴养"),
        (Src.REPORTED, "修建院墙占用公共通道引发邻里矛盾", "经村调委会调解，院墙后移半米，让出通道"),
    ]),
    Cat.HOMESTEAD: (18, [
        (Src.SCREENING, "两户因宅基地界墙归属发生争执", "对照宅基地使用证现场丈量，签订调解协议"),
        (Src.ASSIGNED, "翻建房屋时超出原宅基地范围，邻户阻拦施工", "镇司法所、村调委会联合调解，按原界址施工"),
        (Src.REPORTED, "兄弟分家时对老宅宅基地分割有分歧", "依据分家协议调解，老宅归长子，次子获补偿"),
    ]),
    Cat.LAND: (18, [
        (Src.SCREENING, "承包地地界不清，麦收时因地边归属发生争执", "调解员会同村组干部重新丈量、埋设界桩"),
        (Src.REPORTED, "土地流转租金未按期支付，农户与种植大户产生纠纷", "经调解，种植大户分两期付清租金"),
        (Src.TRANSFERRED, "机井灌溉用水先后顺序引发多户矛盾", "村委会制定轮灌表，各户签字认可"),
    ]),
    Cat.FAMILY: (16, [
        (Src.REPORTED, "子女对赡养老人费用分担有分歧", "调解达成赡养协议，三子女按月分担生活费"),
        (Src.SCREENING, "夫妻因琐事长期争吵，女方回娘家", "调解员与双方家长共同劝和，夫妻和好"),
        (Src.REPORTED, "婆媳矛盾激化，老人要求分开居住", "协商由儿子另租住房，定期看望老人"),
    ]),
    Cat.DEBT: (10, [
        (Src.REPORTED, "村民之间借款到期未还引发纠纷", "调解达成分期还款协议"),
        (Src.TRANSFERRED, "购买农资赊账未结清，双方对欠款数额有争议", "对账后确认欠款数额，约定秋收后还清"),
    ]),
    Cat.LABOUR: (6, [
        (Src.REPORTED, "村民在本村建筑队务工，工程结束后工资未结清", "调解后包工头当场结清工资"),
        (Src.ASSIGNED, "村内加工厂拖欠季节工工资", "调解后工厂制定支付计划并按期支付"),
    ]),
    Cat.OTHER: (2, [
        (Src.OTHER, "红白事操办占用道路，与过往车辆车主发生争执", "经劝导双方互相谅解"),
    ]),
}

REFERRED_TO = {
    Cat.LABOUR: "睢县劳动人事争议仲裁委员会",
    Cat.DEBT: "睢县人民法院长岗人民法庭",
    Cat.LAND: "长岗镇自然资源所",
    Cat.HOMESTEAD: "长岗镇自然资源所",
    Cat.FAMILY: "长岗镇妇联",
    Cat.NEIGHBOUR: "长岗镇人民调解委员会",
    Cat.OTHER: "长岗派出所",
}

# (village index, month, day, channel, matter, backlog, status, result); backlog cases are below
PETITIONS = [
    (3, 3, 14, Ch.VISIT, "反映村内道路硬化工程质量问题", False, PetitionStatus.SETTLED, "镇村督促施工方返修，信访人表示满意"),
    (6, 5, 9, Ch.ONLINE, "反映低保评定不公", False, PetitionStatus.CONCLUDED, "经核查评定程序合规，已书面答复信访人"),
    (9, 6, 20, Ch.PHONE, "反映养殖场异味扰民", False, PetitionStatus.SETTLED, "养殖场加装除臭设施，信访人息诉"),
    (11, 8, 2, Ch.LETTER, "反映土地征收补偿款发放不及时", False, PetitionStatus.SETTLED, "补偿款已全部发放到户"),
    (15, 10, 17, Ch.VISIT, "反映邻村砖厂占用耕地", False, PetitionStatus.HANDLING, ""),
    (18, 11, 23, Ch.ONLINE, "反映村务公开不及时", False, PetitionStatus.CONCLUDED, "督促村委会按季度公开村务，已答复"),
]
# (village index, years before, month, day, channel, matter, settled in the year (month, day) or None)
BACKLOG = [
    (7, 2, 4, 6, Ch.SKIP_LEVEL, "多年反映宅基地被邻户侵占、历次处理不服，曾赴市越级上访", (9, 26)),
    (16, 1, 11, 3, Ch.VISIT, "反映早年土地调整中承包地面积减少，要求恢复", None),
]

MEETING_RISKS = [
    ("麦收在即，部分地块地界不清，存在因抢收引发纠纷的苗头", "调委会提前入户核对地界，约定收割顺序", 1),
    ("外出务工人员返乡，讨薪类纠纷可能增多", "梳理在外务工人员名单，联系镇劳动保障所提前介入", 1),
    ("一户家庭矛盾反复，有激化为“民转刑”的风险", "列为重点关注对象，调解员每周走访", 2),
    ("宅基地翻建集中，邻里界墙纠纷增多", "村干部联合调解员到场见证放线", 1),
    ("未发现重大风险隐患", "继续落实网格员日常排查", 0),
    ("未发现重大风险隐患", "继续落实网格员日常排查", 0),
    ("未发现重大风险隐患", "继续落实网格员日常排查", 0),
    ("个别村民对低保评定有意见，存在上访苗头", "村“两委”入户解释政策，必要时召开评议会", 1),
]
PARTICIPANTS = "村党支部书记、村委会主任、调委会主任、驻村民警、法律顾问、网格员"


def _anonymous(rng, n=2):
    return "、".join(f"{s}某某" for s in rng.sample(SURNAMES, n))


def _day(rng, start, end):
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


@transaction.atomic
def load(year):
    in_town = {"division__parent__code": TOWN}
    if (
        Dispute.objects.filter(**in_town, received_on__year=year).exists()
        or StabilityMeeting.objects.filter(**in_town, held_on__year=year).exists()
    ):
        return
    rng = random.Random(f"safestar-disputes-{year}")
    today = clock.today()
    first, last = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)
    if last < first:
        return  # a year that has not begun has no records
    villages = {d.code: d for d in Division.objects.filter(parent__code=TOWN, level="village")}
    village = lambda index: villages[village_code(TOWN, index)]  # noqa: E731
    author = User.objects.get(username="grid1")
    stamp = {"created_by": author, "updated_by": author}

    advisors = []
    for name, organisation, served in ADVISORS:
        phone = _phone(rng)  # one lawyer, one phone, in every village they serve
        for index in served:
            appointed = datetime.date(year - rng.choice((0, 1, 2)), rng.randint(1, 3), rng.randint(1, 28))
            advisors.append(LegalAdvisor(
                division=village(index), name=name, organisation=organisation, phone=phone,
                appointed_on=min(appointed, last), visits_per_month=rng.choice((1, 2, 2, 4, None)), active=True, **stamp,
            ))
    advisors.append(LegalAdvisor(
        division=village(NO_ADVISOR), name="马文涛", organisation="河南睢州律师事务所", phone=_phone(rng),
        appointed_on=datetime.date(year - 3, 3, 1), visits_per_month=1, active=False, **stamp,  # 聘期届满未续聘
    ))
    LegalAdvisor.objects.bulk_create(advisors)

    mediators = []
    for index in VILLAGES:
        count = rng.randint(5, 8)
        grid = rng.randint(1, 2)
        roles = [MediatorRole.DIRECTOR] + [MediatorRole.MEMBER] * 2 + [MediatorRole.MEDIATOR] * (count - 3 - grid)
        roles += [MediatorRole.GRID] * grid
        for role in roles:
            appointed = datetime.date(year - rng.choice((0, 1, 2, 3)), rng.randint(1, 12), rng.randint(1, 28))
            mediators.append(Mediator(
                division=village(index), name=_name(rng), role=role, phone=_phone(rng), appointed_on=min(appointed, last),
                party_member=role == MediatorRole.DIRECTOR or rng.random() < 0.45, trained=rng.random() < 0.85,
                active=True, **stamp,
            ))
        if rng.random() < 0.15:  # a former member who left the team (外出务工), kept on the ledger
            mediators.append(Mediator(
                division=village(index), name=_name(rng), role=MediatorRole.MEDIATOR, phone=_phone(rng),
                appointed_on=datetime.date(year - 3, rng.randint(1, 12), rng.randint(1, 28)), party_member=False,
                trained=True, active=False, **stamp,
            ))
    Mediator.objects.bulk_create(mediators)

    categories = list(DISPUTES)
    weights = [DISPUTES[c][0] for c in categories]
    disputes = []
    for index in VILLAGES:
        for _ in range(rng.choice((0, 1, 2, 2, 3, 3, 4, 4, 5, 6))):
            category = rng.choices(categories, weights)[0]
            source, summary, result = rng.choice(DISPUTES[category][1])
            received = _day(rng, first, last)
            deadline = received + datetime.timedelta(days=rng.choice((15, 30, 30, 30)))
            roll = rng.random()
            if roll < 0.12:  # still being mediated, its deadline has passed: overdue
                stage = Stage.MEDIATING
            elif roll < 0.20:
                stage = Stage.REFERRED
            else:
                stage = Stage.RESOLVED
            closed = received + datetime.timedelta(days=rng.randint(1, max(1, (deadline - received).days - 2)))
            if stage != Stage.MEDIATING and closed > last:  # too recent to be closed yet
                stage = rng.choice((Stage.ACCEPTED, Stage.MEDIATING))
            closed_on = closed if stage in (Stage.RESOLVED, Stage.REFERRED) else None
            disputes.append(Dispute(
                division=village(index), received_on=received, source=source, parties=_anonymous(rng), category=category,
                summary=summary, stage=stage, deadline=deadline, closed_on=closed_on,
                result=result if stage == Stage.RESOLVED else "",
                referred_to=REFERRED_TO[category] if stage == Stage.REFERRED else "", **stamp,
            ))
    Dispute.objects.bulk_create(disputes)

    petitions = []
    for index, month, day, channel, matter, backlog, status, result in PETITIONS:
        received = datetime.date(year, month, day)
        if received > last:
            continue
        settled_on = min(received + datetime.timedelta(days=rng.randint(20, 50)), last) if status == PetitionStatus.SETTLED else None
        petitions.append(Petition(
            division=village(index), received_on=received, petitioner=_anonymous(rng, 1), channel=channel, matter=matter,
            is_backlog=backlog, status=status, settled_on=settled_on, result=result, **stamp,
        ))
    for index, years_before, month, day, channel, matter, settled in BACKLOG:
        settled_on = datetime.date(year, *settled) if settled and datetime.date(year, *settled) <= last else None
        petitions.append(Petition(
            division=village(index), received_on=datetime.date(year - years_before, month, day),
            petitioner=_anonymous(rng, 1), channel=channel, matter=matter, is_backlog=True,
            status=PetitionStatus.SETTLED if settled_on else PetitionStatus.HANDLING, settled_on=settled_on,
            result="县镇两级领导包案，依法重新确权并给予困难救助，信访人签署息诉罢访承诺书" if settled_on else "", **stamp,
        ))
    Petition.objects.bulk_create(petitions)

    meetings = []
    for index in VILLAGES:
        months = sorted(rng.sample(range(1, 13), rng.randint(4, 12)))
        for month in months:
            held = datetime.date(year, month, rng.randint(20, 28))
            if held > last:
                continue
            kind = MeetingKind.OCCASION if month in (1, 9) and rng.random() < 0.5 else (
                MeetingKind.SPECIAL if month in (6, 10) and rng.random() < 0.4 else MeetingKind.REGULAR
            )
            risks, measures, warnings = rng.choice(MEETING_RISKS)
            meetings.append(StabilityMeeting(
                division=village(index), held_on=held, kind=kind, participants=PARTICIPANTS, risks=risks,
                measures=measures, warnings_issued=warnings, **stamp,
            ))
    StabilityMeeting.objects.bulk_create(meetings)
