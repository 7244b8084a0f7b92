"""What the apps contribute to pages they do not own, without those pages knowing the apps: panels on
a village's page, entries of the navigation, cards on the home page. Each app registers its own in
its panels.py (imported at start-up by core's AppConfig.ready), so org, which draws the village page,
the menu and the home page, imports none of the apps above it.

- A village panel is a function (request, village) returning a (template name, context) pair, or
  None when it has nothing to show this user. The panels are all asked before any is drawn, inside
  one metrics.batched() block: counts handed to the template unread (metrics.Counts) cost one query
  for the whole page.
- A navigation entry is a label, a URL name (and its arguments), a place in the menu (`order`) and a
  function (user) -> bool saying whether the user's role can use it. An entry with a `menu` goes into
  that drop-down menu, under its `group` heading: every ledger is one (core/ledger.py `register`,
  grouped by its declared `group`), in the 台账 menu, grouped by field (LEDGER_GROUPS).
- A home card is declared once by the app that owns it (title, place, width); any app may add a part
  to it: a function (request) returning (template name, context) or None. A card with no part to show
  is left out.
- A town panel is the same as a village panel for a town (request, town): the town's division page
  and its dashboard render them (`render_town_panels`).
- A work queue (我的待办) is a function (user) returning [Queue] of what this person can act on (each
  app asks `can()` / its transition table), or []: the 我的待办 page shows them grouped by kind, each
  item once, with a fixed number of queries per queue.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

PANELS = []
NAVIGATION = []  # NavEntry, kept in menu order
HOME_CARDS = {}  # key → HomeCard


def village_panel(function):
    PANELS.append(function)
    return function


TOWN_PANELS = []


def town_panel(function):
    TOWN_PANELS.append(function)
    return function


def render_town_panels(request, town):
    return [_render(request, result) for result in (panel(request, town) for panel in TOWN_PANELS) if result is not None]


def render_panels(request, village):
    """The village's panels, in order. Every panel is asked first and drawn after, all inside one
    batched() block (core/metrics.py): the per_village() counts the panels pass to their templates
    unread (metrics.Counts) are read together, in one query, when the first panel shows one."""
    from .metrics import batched

    with batched():
        results = [result for result in (panel(request, village) for panel in PANELS) if result is not None]
        return [_render(request, result) for result in results]


def _render(request, result):
    from django.template.loader import render_to_string

    template, context = result
    return render_to_string(template, context, request=request)


LEDGER_MENU = "台账"
# The fields the 台账 menu is grouped by, in its order; every ledger declares one (Ledger.group).
LEDGER_GROUPS = ("基本情况", "治安防控", "矛盾纠纷", "安全", "宗教", "应急", "重点人员")


@dataclass(frozen=True)
class NavEntry:
    order: int
    label: str
    url_name: str
    visible: Callable  # (user) -> bool
    menu: str = ""  # a drop-down menu ("台账"); "" for the top bar
    group: str = ""  # its heading within the menu
    args: tuple = ()  # of the URL


def nav_entry(order, label, url_name, visible, *, menu="", group="", args=()):
    """Show `label` in the menu, at `order`, to the users `visible(user)` accepts; with `menu`, in
    that drop-down under the heading `group` (for the 台账 menu, one of LEDGER_GROUPS)."""
    if menu == LEDGER_MENU and group not in LEDGER_GROUPS:
        raise ValueError(f"{label}: the 台账 menu has no group {group!r} (LEDGER_GROUPS)")
    NAVIGATION.append(NavEntry(order, label, url_name, visible, menu, group, tuple(args)))
    NAVIGATION.sort(key=lambda entry: entry.order)


@lru_cache(maxsize=None)
def _reversed(prefix, url_name, args):
    from django.urls import reverse

    return reverse(url_name, args=args)


def _url(entry):
    """The entry's URL: reversed once per process (and script prefix), not on every page (the menus
    have about 45 entries: reversing them took a third of the time of rendering base.html)."""
    from django.urls import get_script_prefix

    return _reversed(get_script_prefix(), entry.url_name, entry.args)


def navigation(user):
    """[(label, url)] of the top-bar entries this user can use, in menu order."""
    return [(entry.label, _url(entry)) for entry in NAVIGATION if not entry.menu and entry.visible(user)]


def menus(user):
    """[(menu, [(group, [(label, url)])])] of the drop-down menus with an entry this user can use:
    groups in LEDGER_GROUPS order (others after them), entries in menu order, empty groups left out."""
    found = {}
    for entry in NAVIGATION:
        if entry.menu and entry.visible(user):
            found.setdefault(entry.menu, {}).setdefault(entry.group, []).append((entry.label, _url(entry)))
    rank = {group: i for i, group in enumerate(LEDGER_GROUPS)}
    return [(menu, sorted(groups.items(), key=lambda item: rank.get(item[0], len(rank)))) for menu, groups in found.items()]


@dataclass
class HomeCard:
    title: str
    order: int
    width: int = 5  # Bootstrap columns on a wide screen (of 12)
    testid: str = ""
    parts: list = field(default_factory=list)  # (order, function)


def home_card(key, title, order, width=5, testid=""):
    """Declare the home-page card `key` (by the app that owns it)."""
    card = HOME_CARDS.setdefault(key, HomeCard(title, order))
    card.title, card.order, card.width, card.testid = title, order, width, testid


def home_part(key, order=0):
    """Decorator on a function (request) -> (template, context) or None: a part of card `key`."""

    def register(function):
        card = HOME_CARDS.setdefault(key, HomeCard("", 0))  # the owner may declare it after this
        card.parts.append((order, function))
        card.parts.sort(key=lambda part: part[0])
        return function

    return register


def render_home_cards(request):
    """[(card, [html of each part])] of the cards with something to show this user, in page order."""
    cards = []
    for card in sorted(HOME_CARDS.values(), key=lambda c: c.order):
        parts = [part for part in (function(request) for _, function in card.parts) if part is not None]
        if parts:
            cards.append((card, [_render(request, part) for part in parts]))
    return cards


QUEUES = []  # (order, function)
QUEUE_LIMIT = 50  # items listed per queue (the count says how many there are)
SOON = 30  # days: a queue lists what is due (a creation task, a work report) this many days before its due date


@dataclass
class QueueItem:
    key: tuple  # (model label, pk): an item is listed once, in the first queue that has it
    label: str
    url: str
    note: str = ""
    late: bool = False  # 逾期: marked red


@dataclass
class Queue:
    key: str  # for tests and the page's data-testid
    title: str
    items: list = field(default_factory=list)  # QueueItem, at most QUEUE_LIMIT
    count: int = 0  # how many there are (may exceed the items listed)
    more: str = ""  # URL of the full list
    buttons: list = field(default_factory=list)  # [(label, url)]: quick-entry links
    order: int = 0


def item(obj, label=None, note="", late=False, url=None):
    """The QueueItem of a model object (its page: get_absolute_url unless `url` is given)."""
    return QueueItem((obj._meta.label_lower, obj.pk), label or str(obj), url or obj.get_absolute_url(), note, late)


def queue(key, title, rows, make, more=""):
    """A queue of `rows` (a queryset: one query, a second to count when there are more than listed;
    or a list already fetched), each made into a QueueItem by `make`."""
    if isinstance(rows, list):
        listed, count = rows[:QUEUE_LIMIT], len(rows)
    else:
        listed = list(rows[:QUEUE_LIMIT + 1])
        count = rows.count() if len(listed) > QUEUE_LIMIT else len(listed)
        listed = listed[:QUEUE_LIMIT]
    return Queue(key, title, [make(obj) for obj in listed], count, more)


def work_queue(order):
    """Decorator on a function (user) -> [Queue]: the queues an app adds to 我的待办, at `order`."""

    def register(function):
        QUEUES.append((order, function))
        QUEUES.sort(key=lambda q: q[0])
        return function

    return register


def my_queues(user):
    """The user's queues in page order: each item once (the first queue listing it keeps it), empty
    queues left out (a queue of quick-entry buttons stays)."""
    seen, out = set(), []
    for order, function in QUEUES:
        for queue in function(user) or ():
            kept = [item for item in queue.items if item.key not in seen]
            seen.update(item.key for item in kept)
            queue.count -= len(queue.items) - len(kept)
            queue.items, queue.order = kept, order
            if queue.count > 0 or queue.buttons:
                out.append(queue)
    return out
