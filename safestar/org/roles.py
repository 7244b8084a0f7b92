"""Roles and what each may do.

A role is code, not data: what it can see is decided by the scope mechanism (safestar.core.scope),
and every capability below is read from here, nowhere else. Which division a user is anchored at,
and which department, is data on the user.
"""

from dataclasses import dataclass

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
            Role.COUNTY,
            anchor_levels=(Level.COUNTY,),
            reads_business=True,
            requires_2fa=True,
            duties=("查看全县各村创建数据", "组织年度评查、评分认定"),
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
        ),
        RoleSpec(
            Role.TASKFORCE,
            anchor_levels=(Level.TOWN,),
            reads_business=True,
            duties=("查看全镇创建数据（只读）", "督导推进、考核认定"),
        ),
        RoleSpec(
            Role.DEPARTMENT,
            anchor_levels=(Level.COUNTY, Level.TOWN),
            needs_department=True,
            reads_business=True,
            writes_business=True,
            duties=("录入、共享本部门领域的台账", "范围限于本部门所在辖区"),
        ),
        RoleSpec(
            Role.VILLAGE,
            anchor_levels=(Level.VILLAGE,),
            reads_business=True,
            writes_business=True,
            grants=(Role.GRID,),
            duties=("负责本村创建工作", "录入本村台账", "管理本村网格员账号"),
        ),
        RoleSpec(
            Role.GRID,
            anchor_levels=(Level.VILLAGE,),
            reads_business=True,
            writes_business=True,
            duties=("录入本村台账数据",),
        ),
    ]
}


def spec(role) -> RoleSpec:
    return SPECS[Role(role)]


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


def county_authority(user, data_field) -> bool:
    """Whether `user` decides for the county on `data_field`: the political-legal committee's
    evaluators, or a county-level department that shares the field (recognising incidents,
    giving evaluation scores)."""
    if not (getattr(user, "is_authenticated", False) and user.division_id):
        return False
    if user.role == Role.COUNTY:
        return True
    return (
        user.role == Role.DEPARTMENT
        and user.division.level == Level.COUNTY
        and user.department_id is not None
        and data_field in user.department.fields
    )
