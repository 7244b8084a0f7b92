from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from safestar.core.background import worker_alive
from safestar.core.lists import paginate, render_list
from safestar.core.scope import require
from safestar.org.models import User
from safestar.org.roles import can

from .models import Delivery, Notice
from .services import unread_count


def bell(request):
    """The bell in the menu with the count of unread notices, fetched by htmx after the page loads
    (one query, and no page's own query count changes)."""
    return render(request, "notices/bell.html", {"unread": unread_count(request.user)})


def inbox(request):
    """The person's own notices, unread first marked; `?unread=1` shows only the unread."""
    rows = Notice.objects.filter(recipient=request.user)
    only_unread = request.GET.get("unread") == "1"
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    return render_list(request, "notices/list.html", {"page": paginate(request, rows), "only_unread": only_unread,
                                                       "worker_alive": worker_alive()})


@require_POST
def mark_read(request, pk):
    """Mark one of one's own notices read and, with `go`, follow its link."""
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    if notice.read_at is None:
        Notice.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    if request.POST.get("go") and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("notices")


@require_POST
def mark_all_read(request):
    Notice.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notices")


def is_admin(user):
    return can(user, "notices.see_failures")


def failures(request):
    """The administrator's view of deliveries that failed or are being retried, for people in their scope."""
    require(is_admin(request.user))
    people = User.objects.visible_to(request.user)
    rows = (Delivery.objects.filter(recipient__in=people).exclude(status=Delivery.Status.SENT).filter(attempts__gt=0)
            .select_related("recipient").order_by("-id"))
    return render_list(request, "notices/failures.html", {"page": paginate(request, rows), "worker_alive": worker_alive()})


def failure_count(user):
    if not is_admin(user):
        raise Http404
    return Delivery.objects.filter(recipient__in=User.objects.visible_to(user), status=Delivery.Status.FAILED).count()
