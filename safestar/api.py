"""The REST API root: /api/v1/, bearer tokens, OpenAPI at /api/v1/openapi.json.

Each app adds its router in its own api.py; every endpoint reads through the same
`visible_to(user)` scope as the pages, so an object outside the caller's scope answers 404.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from safestar.core.api_errors import ERROR_STATUSES, chinese_validation_errors, document_errors
from safestar.core.ledger_api import ledger_router
from safestar.creation.api import router as creation_router
from safestar.dashboards.api import router as dashboards_router
from safestar.evaluation.api import router as evaluation_router
from safestar.incidents.api import router as incidents_router
from safestar.keypersons.api import router as keypersons_router
from safestar.org.api import router as org_router
from safestar.org.models import ApiToken
from safestar.reports.api import router as reports_router
from safestar.schemes.api import router as schemes_router

class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related("user__division", "user__department")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class SafeStarAPI(NinjaAPI):
    """The API with Chinese error bodies of one shape, {"detail": "…", "errors": {"字段": ["…"]}}, for
    every status it can answer (core/api_errors.py), and those statuses documented on every operation."""

    def get_openapi_schema(self, **kwargs):
        return document_errors(super().get_openapi_schema(**kwargs))


api = SafeStarAPI(
    title="SafeStar 平安法治星创建管理系统 API",
    version="1",
    description="所有接口需要 `Authorization: Bearer <令牌>`；令牌用 `safestar token create 登录名` 签发。"
    "数据范围与网页一致：范围外的对象返回 404。"
    "出错时一律返回 JSON `{\"detail\": \"中文说明\", \"errors\": {\"字段\": [\"中文说明\"]}}`：" + "、".join(
        f"{code} {label}" for code, label in ERROR_STATUSES.items()) + "。",
    auth=BearerToken(),
    docs_url=None,  # the interactive docs page loads scripts from a CDN; intranets have none
    urls_namespace="api",
)
api.add_router("/", org_router)
api.add_router("/", ledger_router())  # /api/v1/<ledger>/ for every registered ledger
api.add_router("/", incidents_router)
api.add_router("/", schemes_router)
api.add_router("/", keypersons_router)
api.add_router("/", creation_router)
api.add_router("/", evaluation_router)
api.add_router("/", dashboards_router)
api.add_router("/", reports_router)


def _error(request, status, detail, errors=None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    return _error(request, 401, "未登录：请在请求头 Authorization: Bearer <令牌> 中给出有效的令牌")


@api.exception_handler(Http404)
def _not_found(request, exc):
    message = str(exc)
    return _error(request, 404, message if message and message.isascii() is False else "不存在，或不在您的数据范围内")


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return _error(request, 422, "请求参数校验未通过", chinese_validation_errors(exc.errors))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    message = str(exc)
    if message.isascii():  # ninja's own ("Cannot parse request body"); ours are Chinese
        message = ERROR_STATUSES.get(exc.status_code, "请求未能处理")
    return _error(request, exc.status_code, message)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return _error(request, 400, "请求体过大，请分批提交")
