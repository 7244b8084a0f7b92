"""The REST API root: /api/v1/, bearer tokens, OpenAPI at /api/v1/openapi.json.

Each app adds its router in its own api.py; every endpoint reads through the same
`visible_to(user)` scope as the pages, so an object outside the caller's scope answers 404.
"""

from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer

from ninja.security import SessionAuth

from safestar.core.ledger_api import ledger_router
from safestar.dashboards.api import router as dashboards_router
from safestar.creation.api import router as creation_router
from safestar.evaluation.api import router as evaluation_router
from safestar.incidents.api import router as incidents_router
from safestar.keypersons.api import router as keypersons_router
from safestar.org.api import router as org_router
from safestar.reports.api import router as reports_router
from safestar.schemes.api import router as schemes_router
from safestar.org.middleware import gate_passed
from safestar.org.models import ApiToken


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


class PageSession(SessionAuth):
    """The signed-in session of a page (its charts' script), once the account gate is passed
    (two-factor code, password change): otherwise the same 401 as without a token."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user is not None and gate_passed(user) else None


api = NinjaAPI(
    title="SafeStar 平安法治星创建管理系统 API",
    version="1",
    description="所有接口需要 `Authorization: Bearer <令牌>`；令牌用 `safestar token create 登录名` 签发。"
    "数据范围与网页一致：范围外的对象返回 404。",
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
# The dashboard's charts read it with the page's own session; other systems with a token.
api.add_router("/", dashboards_router, auth=[PageSession(), BearerToken()])
api.add_router("/", reports_router)
