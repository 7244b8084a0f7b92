"""The dashboard's figures as JSON, for other systems: the same data as the page's charts draw
(board.published, embedded in the page), so what they read equals the page's tables. Bearer tokens,
as every endpoint."""

from ninja import Router

from .board import compute, published
from .views import place_and_year

router = Router(tags=["创建态势"])


@router.get("/dashboard/", url_name="dashboard-data",
            summary="某区划某年度的创建态势：各村（乡镇）或下级区划的三零、得分、进度、逾期、预警和月度趋势（division=区划代码，year=年度，均可选）")
def dashboard_data(request, division: str = "", year: str = ""):
    """`year` is read as the page reads it (not a whole number in 2000–2100: the default year)."""
    place, chosen = place_and_year(request, request.auth)
    return published(compute(request.auth, place, chosen))
