from ninja import Router, Schema
from ninja.pagination import paginate

from safestar.core.read_api import Page
from safestar.core.scope import get_visible_or_404

from .models import Division
from .roles import Level, Role

router = Router(tags=["组织"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    parent_code: str | None
    path: str

    @staticmethod
    def resolve_level_label(obj):
        return Level(obj.level).label

    @staticmethod
    def resolve_parent_code(obj):
        return obj.path.strip("/").split("/")[-2] if obj.parent_id else None


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    division: DivisionOut
    department: str | None

    @staticmethod
    def resolve_role_label(obj):
        return Role(obj.role).label

    @staticmethod
    def resolve_department(obj):
        return obj.department.name if obj.department_id else None


@router.get("/me", response=MeOut, summary="当前令牌对应的账号")
def me(request):
    return request.auth


@router.get("/divisions/{code}", response=DivisionOut, summary="一个区划（范围外返回 404）")
def division(request, code: str):
    return get_visible_or_404(Division, request.auth, code=code)


@router.get("/divisions/{code}/children", response=list[DivisionOut], summary="下级区划，分页")
@paginate(Page)
def division_children(request, code: str):
    parent = get_visible_or_404(Division, request.auth, code=code)
    return Division.objects.visible_to(request.auth).filter(parent=parent).order_by("code")
