from safestar.core.panels import home_part, nav_entry

from .views import failure_count, is_admin

nav_entry(95, "通知发送", "notice-failures", is_admin)


@home_part("accounts", order=90)
def failures_part(request):
    """The administrator's home: how many notifications the outside channels failed to deliver."""
    if not is_admin(request.user):
        return None
    count = failure_count(request.user)
    if not count:
        return None
    return "notices/home_failures.html", {"count": count}
