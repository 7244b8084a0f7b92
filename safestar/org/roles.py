"""Roles and what each may do.

A role is code, not data: what it can see is decided by the scope mechanism (safestar.core.scope),
and every capability below is read from here, nowhere else. Which division a user is anchored at,
and which department, is data on the user.

Two kinds of capability live here:

- the scope capabilities of `RoleSpec` (reads_business, writes_business, ...), which the scope
  mechanism reads to decide which rows a role sees at all;
- named actions ("creation.confirm_application", "evaluation.review_town", ...), declared on each
  role in `SPECS` (outright, or under a condition on the user and the object acted on) and asked
  with `can(user, action, obj=None)`: the one check every view, service, form and API endpoint
  calls. Nothing outside this module compares roles.
"""

import re
from dataclasses import dataclass, field

from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）"
    TOWN = "town", "乡镇（街道）"
    VILLAGE = "village", "行政村"
    GRID = "grid", "网格"


LEVEL_ORDER = [c.value for c in Level]


class Role(models.TextChoices):
    SYSADMIN = "sysadmin", "系统管理员"
    AUDITOR = "auditor", "安全审计员"
    CITY = "city", "市委政法委"
    COUNTY = "county", "县政法委评查员"
    TOWN = "town", "镇平安办"
    TASKFORCE = "taskforce", "镇工作专班"
    DEPARTMENT = "department", "部门用户"
    VILLAGE = "village", "村干部"
    GRID = "grid", "网格员"


@dataclass(frozen=True)
class RoleSpec:
    role: Role
    anchor_levels: tuple  # levels a user of this role may be anchored at
    needs_department: bool = False
    reads_business: bool = False  # sees ledger / creation / evaluation data in its scope
    writes_business: bool = False  # enters and edits that data
    reads_org: bool = True  # sees the division tree and departments in its scope
    edits_divisions: bool = False  # adds villages under its towns
    manages_departments: bool = False
    reads_audit: bool = False
    manages_lockouts: bool = False  # sees and clears login lockouts
    requires_2fa: bool = False  # must log in with a one-time code as well (TOTP)
    grants: tuple = ()  # roles it may give to accounts inside its own division
    duties: tuple = ()  # what the home page says this role does
    actions: dict = field(default_factory=dict)  # action name → True, or a condition(user, obj) → bool

    def allows(self, action) -> bool:
        """Whether the role holds `action` outright (no condition on the user or the object)."""
        return self.actions.get(action) is True


class DataField(models.TextChoices):
    """The fields of data (ledger families) a department can share; a ledger model names its own."""

    SECURITY = "security", "治安防控"
    INCIDENTS = "incidents", "案事件"
    DISPUTES = "disputes", "矛盾纠纷"
    PETITIONS = "petitions", "信访"
    PUBLICITY = "publicity", "宣传"
    SAFETY = "safety", "安全隐患"
    RELIGION = "religion", "宗教"
    EMERGENCY = "emergency", "应急"
    KEYPERSONS = "keypersons", "重点人员"
    CREATION = "creation", "创建与督导"
    EVALUATION = "evaluation", "年度评查"


class DepartmentKind(models.TextChoices):
    POLICE = "police", "公安"
    JUSTICE = "justice", "司法"
    EMERGENCY = "emergency", "应急"
    PETITION = "petition", "信访"
    RELIGION = "religion", "民宗"
    HEALTH = "health", "卫健"
    ORGANIZATION = "organization", "组织"
    POLITICAL_LEGAL = "political_legal", "政法委"
    SAFETY_OFFICE = "safety_office", "平安办"
    OTHER = "other", "其他"


# -- named actions ---------------------------------------------------------------------------------
# Every action any role may hold, with what it means. `can()` refuses a name not listed here, so a
# typo fails loudly instead of quietly denying.

ACTIONS = {
    # creation and supervision (创建与督导, docs/creation.md)
    "creation.apply": "申请创建（本村，或镇平安办代村申请）",
    "creation.confirm_application": "确认或不予确认创建申请",
    "creation.assign_task": "为村布置创建任务",
    "creation.write_village_work": "办理本村的创建任务、整改方案和进展",
    "creation.complete_task": "记录创建任务完成",
    "creation.return_task": "退回已完成的创建任务",
    "creation.be_responsible": "担任创建任务和整改的责任人",
    "creation.inspect": "安排和开展督导检查、登记问题",
    "creation.submit_rectification": "提交整改验收",
    "creation.verify_rectification": "验收销号或退回整改",
    "creation.deploy_campaign": "部署专项整治",
    "creation.run_campaign": "办理专项整治（记录各村完成、结束整治）",
    # periodic work reports (工作汇报, docs/reports.md)
    "reports.define": "下达工作汇报要求、下载本镇汇总",
    "reports.write": "填写本村工作汇报（统计数、工作情况、附件）",
    "reports.submit": "报送本村工作汇报",
    "reports.review": "采纳或退回村的工作汇报",
    # village profiles (村基本情况，底数, docs/ledgers.md)
    "profiles.keep": "维护村基本情况（人口、户数、网格、村两委等底数）",
    "creation.assign_leaders": "安排镇领导包村（领导包村）",
    "notices.see_failures": "查看发送失败的通知（本范围内的人）",
    # the annual evaluation (年度评查, docs/evaluation.md)
    "evaluation.view": "查看年度评查",
    "evaluation.self_assess": "村自评：逐项说明、增删佐证材料",
    "evaluation.submit": "提交自评",
    "evaluation.review_town": "乡镇初审：调整得分、退回、初审通过",
    "evaluation.forward": "报送县级评查",
    "evaluation.score_county": "县级评查中调整得分",
    "evaluation.open_round": "组织年度评查",
    "evaluation.evaluate": "完成县级评查",
    "evaluation.recognise": "认定评查结果",
    "evaluation.unlock": "解锁已认定的结果",
    "evaluation.publish": "公示评查结果",
    "evaluation.late_self": "村自评逾期：决定本镇各村逾期提交的处理、同意逾期提交",
    "evaluation.late_town": "乡镇初审逾期：决定乡镇逾期报送的处理、同意逾期报送",
    # dashboards and early warning (创建态势与预测预警, docs/dashboards.md)
    "dashboards.view": "查看创建态势看板和预测预警",
    # schemes (创建方案)
    "schemes.view_results": "查看各村的评分结果和评分卡",
    "schemes.score": "为人工评分项打分",
    # incidents (案事件)
    "incidents.recognise": "认定案事件",
    "incidents.withdraw": "撤销案事件的认定",
    # the key-person registry (重点人员, docs/keypersons.md)
    "keypersons.view": "查看重点人员（脱敏）",
    "keypersons.reveal": "说明原因后查看重点人员的完整信息",
    "keypersons.manage": "登记、修改、导入导出重点人员",
    "keypersons.every_category": "管理所有类别的重点人员",
    "keypersons.by_category": "管理本部门负责类别的重点人员",
    "keypersons.be_responsible": "担任包案人：查看本人负责的人员、录入走访",
    "keypersons.record_visit": "录入走访帮教记录",
}


def _granted(*names, when=True):
    """{action: True} (or {action: condition}) for a role's `actions`."""
    unknown = [n for n in names if n not in ACTIONS]
    assert not unknown, f"undeclared actions: {unknown}"
    return dict.fromkeys(names, when)


# Conditions: what an action needs beyond the role, on the user and the object acted on (None when
# asked without one, e.g. for a menu entry: then only what the user is).

def _department_sharing(data_field, at_county=False, or_at_county=False):
    def condition(user, obj=None):
        department = user.department if user.department_id else None
        if department is None:
            return False
        county = user.division.level == Level.COUNTY
        if at_county and not county:
            return False
        return data_field in department.fields or (or_at_county and county)

    return condition


_county_department = {f: _department_sharing(f, at_county=True) for f in (DataField.EVALUATION, DataField.INCIDENTS)}


def _scores_indicator(user, indicator=None):
    """A county-level department gives the county's points for the indicators of its own field (the
    scheme's 评分部门 names its kind: 公安, 司法, ...), or for all of them when it shares the evaluation field."""
    if _county_department[DataField.EVALUATION](user):
        return True
    if user.division.level != Level.COUNTY or user.department_id is None:
        return False
    if indicator is None:
        return True
    return DepartmentKind(user.department.kind).label in re.split(r"[、，,\s]+", indicator.department)


def _issued_here(user, report=None):
    """A report to a requirement the user's own division (the county) set."""
    return report is None or report.requirement.issuer_id == user.division_id


def _leads_campaign(user, campaign=None):
    """The department leading the special campaign."""
    return campaign is None or campaign.department_id == user.department_id


def _runs_tasks_campaign(user, task=None):
    """A village's part of a campaign the user's department leads."""
    return task is None or (task.campaign_id is not None and _leads_campaign(user, task.campaign))


def _own_village_task(user, task=None):
    """A village's part of a special campaign is recorded complete by whoever runs the campaign, not by the village."""
    return task is None or task.campaign_id is None


_COUNTY_EVALUATION = ("evaluation.open_round", "evaluation.evaluate", "evaluation.recognise", "evaluation.unlock", "evaluation.publish",
                      "evaluation.late_town")
_READS_EVALUATION = ("evaluation.view", "schemes.view_results")

_ALL = tuple(Role)
SPECS = {
    s.role: s
    for s in [
        RoleSpec(
            Role.SYSADMIN,
            anchor_levels=(Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN),
            edits_divisions=True,
            manages_departments=True,
            manages_lockouts=True,
            requires_2fa=True,
            grants=_ALL,
            duties=("管理辖区内的账号、角色和归属", "维护区划和部门", "不查看业务数据"),
            actions=_granted("notices.see_failures"),
        ),
        RoleSpec(
            Role.AUDITOR,
            anchor_levels=(Level.PROVINCE, Level.CITY, Level.COUNTY),
            reads_org=False,
            reads_audit=True,
            requires_2fa=True,
            duties=("查阅审计日志", "不修改任何数据"),
        ),
        RoleSpec(
            Role.CITY,
            anchor_levels=(Level.CITY,),
            reads_business=True,
            requires_2fa=True,
            duties=("市级统筹：查看全市各县、乡镇、村的创建态势（只读）", "比较各县、各乡镇的创建进度和预警"),
            actions=_granted(*_READS_EVALUATION, "dashboards.view"),
        ),
        RoleSpec(
            Role.COUNTY,
            anchor_levels=(Level.COUNTY,),
            reads_business=True,
            requires_2fa=True,
            duties=("查看全县各村创建数据", "组织年度评查、评分认定"),
            actions={
                **_granted(*_READS_EVALUATION, "dashboards.view", "evaluation.score_county", *_COUNTY_EVALUATION, "schemes.score",
                           "incidents.recognise", "incidents.withdraw", "reports.define"),
                **_granted("reports.review", when=_issued_here),
            },
        ),
        RoleSpec(
            Role.TOWN,
            anchor_levels=(Level.TOWN,),
            reads_business=True,
            writes_business=True,
            edits_divisions=True,
            requires_2fa=True,
            grants=(Role.TASKFORCE, Role.VILLAGE, Role.GRID),
            duties=("统筹全镇创建工作", "维护本镇行政村", "管理工作专班、村干部、网格员账号"),
            actions=_granted(
                "creation.apply", "creation.confirm_application", "creation.assign_task", "creation.write_village_work",
                "creation.complete_task", "creation.return_task", "creation.inspect", "creation.submit_rectification",
                "creation.verify_rectification", "creation.deploy_campaign", "creation.run_campaign", "creation.assign_leaders",
                *_READS_EVALUATION, "dashboards.view", "evaluation.self_assess", "evaluation.submit", "evaluation.review_town", "evaluation.forward",
                "evaluation.late_self", "keypersons.view", "keypersons.reveal", "keypersons.manage", "keypersons.every_category", "keypersons.record_visit",
                "reports.define", "reports.review", "profiles.keep",
            ),
        ),
        RoleSpec(
            Role.TASKFORCE,
            anchor_levels=(Level.TOWN,),
            reads_business=True,
            duties=("查看全镇创建数据（只读）", "督导推进、考核认定"),
            actions=_granted(*_READS_EVALUATION, "dashboards.view", "evaluation.review_town"),
        ),
        RoleSpec(
            Role.DEPARTMENT,
            anchor_levels=(Level.COUNTY, Level.TOWN),
            needs_department=True,
            reads_business=True,
            writes_business=True,
            duties=("录入、共享本部门领域的台账", "范围限于本部门所在辖区"),
            actions={
                **_granted("creation.run_campaign", when=_leads_campaign),
                **_granted("creation.complete_task", when=_runs_tasks_campaign),
                **_granted("evaluation.view", when=_department_sharing(DataField.EVALUATION, or_at_county=True)),
                **_granted("schemes.view_results", when=_department_sharing(DataField.EVALUATION)),
                **_granted("evaluation.score_county", when=_scores_indicator),
                **_granted(*_COUNTY_EVALUATION, "schemes.score", when=_county_department[DataField.EVALUATION]),
                **_granted("incidents.recognise", "incidents.withdraw", when=_county_department[DataField.INCIDENTS]),
                **_granted("keypersons.view", "keypersons.reveal", "keypersons.manage", "keypersons.by_category",
                           "keypersons.record_visit"),
                **_granted("reports.write", "reports.submit"),  # its own reports only (Report.scope_extra)
            },
        ),
        RoleSpec(
            Role.VILLAGE,
            anchor_levels=(Level.VILLAGE,),
            reads_business=True,
            writes_business=True,
            grants=(Role.GRID,),
            duties=("负责本村创建工作", "录入本村台账", "管理本村网格员账号"),
            actions={
                **_granted("creation.apply", "creation.write_village_work", "creation.be_responsible", "creation.submit_rectification",
                           *_READS_EVALUATION, "evaluation.self_assess", "evaluation.submit",
                           "keypersons.view", "keypersons.reveal", "keypersons.be_responsible", "keypersons.record_visit",
                           "reports.write", "reports.submit", "profiles.keep"),
                **_granted("creation.complete_task", when=_own_village_task),
            },
        ),
        RoleSpec(
            Role.GRID,
            anchor_levels=(Level.VILLAGE,),
            reads_business=True,
            writes_business=True,
            duties=("录入本村台账数据",),
            actions={
                **_granted("creation.write_village_work", "creation.be_responsible", "creation.submit_rectification",
                           *_READS_EVALUATION, "evaluation.self_assess", "reports.write", "profiles.keep"),
                **_granted("creation.complete_task", when=_own_village_task),
            },
        ),
    ]
}


def spec(role) -> RoleSpec:
    return SPECS[Role(role)]


def can(user, action, obj=None) -> bool:
    """Whether `user` may do `action` (to `obj`, when given): the one capability check. Which rows
    the user reaches at all is still the scope's business (`visible_to`, `get_visible_or_404`)."""
    if action not in ACTIONS:
        raise KeyError(f"undeclared action {action!r} (declare it in safestar.org.roles.ACTIONS)")
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.division_id):
        return False
    rule = spec(user.role).actions.get(action)
    return rule is True or (rule is not None and bool(rule(user, obj)))


def holders(*actions) -> tuple:
    """The roles that hold any of `actions` (outright or under a condition): for declarations such
    as a model's `scope_roles`, and for choosing people (who may be a 责任人)."""
    return tuple(s.role for s in SPECS.values() if any(a in s.actions for a in actions))
