"""The outbox. `collect()` turns what each person can act on into notifications: every app's 我的待办
(core/panels.py work queues — each app derives them from can(), its transition table and the scope,
so nobody is told about an object outside their scope) gives one Notice per item and state, keyed
`queue:model:pk:state` so a task due soon and the same task once overdue are two notices and neither
is created twice while it lasts; once the item leaves the person's 我的待办 its notice is ended, and
its return (a report returned again, a warning sign back) is a new notice. `deliver()` sends the pending deliveries of the outside channels, retrying with
backoff; a failing channel never touches the Notice (the in-app inbox). `digest(day)` queues one
message per person summarising that day's notices."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from safestar.core.panels import my_queues
from safestar.org.models import User

from .channels import channels
from .models import Delivery, Notice

NOT_EVENTS = {"quick-entry", "covered-villages"}  # queues of 我的待办 that are shortcuts, not events


def _key(queue, item):
    label, pk = item.key
    return f"{queue.key}:{label}:{pk}:{'late' if item.late else 'open'}"[:200]


def collect(users=None):
    """Create the notices (and their deliveries) of what each active person can act on now, and end
    those whose item has left their 我的待办 (so that its return notifies again). Harmless to repeat.
    Returns the number of notices created."""
    users = users if users is not None else User.objects.filter(is_active=True, division__isnull=False).select_related("division")
    outside = channels()
    created = 0
    for user in users:
        wanted, present, complete = {}, set(), set()
        for queue in my_queues(user):
            if queue.key in NOT_EVENTS:
                continue
            present.add(queue.key)
            if queue.count <= len(queue.items):
                complete.add(queue.key)  # every item is listed: one not listed has left the queue
            for item in queue.items:
                wanted.setdefault(_key(queue, item), (queue, item))
        known = dict(Notice.objects.filter(recipient=user, ended_at__isnull=True).values_list("key", "kind"))
        ended = [key for key, kind in known.items() if key not in wanted and (kind in complete or kind not in present)]
        if ended:
            Notice.objects.filter(recipient=user, ended_at__isnull=True, key__in=ended).update(ended_at=timezone.now())
        for key, (queue, item) in wanted.items():
            if key in known:
                continue
            try:
                with transaction.atomic():
                    notice = Notice.objects.create(recipient=user, key=key, kind=queue.key, title=f"{queue.title}：{item.label}"[:200],
                                                   body=item.note[:500], url=item.url, late=item.late)
                    for channel in outside.values():
                        if channel.wants(user):
                            Delivery.objects.create(recipient=user, notice=notice, channel=channel.name, subject=notice.title,
                                                    text=_text(notice))
            except IntegrityError:  # another worker created it just now
                continue
            created += 1
    return created


def _text(notice):
    return "\n".join(part for part in (notice.body, _link(notice.url)) if part)


def _link(url):
    return f"{settings.SAFESTAR_SITE_URL.rstrip('/')}{url}" if url else ""


def backoff(attempts):
    """Wait before the next try after `attempts` failures: 1, 2, 4, 8 … minutes (at most a day)."""
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 24 * 60))


def deliver(now=None):
    """Send the deliveries that are due; returns (sent, failed this round)."""
    now = now or timezone.now()
    outside = channels()
    sent = failed = 0
    due = (Delivery.objects.filter(status=Delivery.Status.PENDING).exclude(next_try_at__gt=now)
           .select_related("recipient").order_by("id"))
    for delivery in due:
        channel = outside.get(delivery.channel)
        try:
            if channel is None:
                raise RuntimeError(f"渠道 {delivery.channel} 已不在 SAFESTAR_NOTICE_CHANNELS 中")
            channel.send(delivery)
        except Exception as error:  # noqa: BLE001 — any failure of a channel is recorded and retried
            delivery.attempts += 1
            delivery.last_error = f"{type(error).__name__}: {error}"[:500]
            if delivery.attempts >= settings.SAFESTAR_NOTICE_ATTEMPTS:
                delivery.status, delivery.next_try_at = Delivery.Status.FAILED, None
            else:
                delivery.next_try_at = now + backoff(delivery.attempts)
            delivery.save(update_fields=["attempts", "last_error", "status", "next_try_at"])
            failed += 1
        else:
            delivery.status, delivery.sent_at, delivery.attempts = Delivery.Status.SENT, now, delivery.attempts + 1
            delivery.save(update_fields=["status", "sent_at", "attempts"])
            sent += 1
    return sent, failed


def digest(day):
    """Queue one digest per person and channel of the notices created on `day` (local date). Harmless to repeat."""
    outside = channels()
    if not outside:
        return 0
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    notices = (Notice.objects.filter(created_at__gte=start, created_at__lt=start + datetime.timedelta(days=1))
               .select_related("recipient").order_by("recipient_id", "id"))
    by_person = {}
    for notice in notices:
        by_person.setdefault(notice.recipient, []).append(notice)
    made = 0
    for person, items in by_person.items():
        late = sum(1 for n in items if n.late)
        subject = f"{day:%Y-%m-%d} 通知摘要：{len(items)} 条" + (f"，其中逾期 {late} 条" if late else "")
        text = "\n".join(f"{i}. {'【逾期】' if n.late else ''}{n.title}" for i, n in enumerate(items, start=1))
        text += f"\n查看全部：{_link('/notices/')}"
        for channel in outside.values():
            if channel.wants(person):
                _, new = Delivery.objects.get_or_create(recipient=person, digest_on=day, channel=channel.name,
                                                        defaults={"subject": subject, "text": text})
                made += new
    return made


def unread_count(user):
    return Notice.objects.filter(recipient=user, read_at__isnull=True).count()
