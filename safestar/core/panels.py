"""What the apps contribute to pages they do not own, without those pages knowing the apps: panels on
a village's page, entries of the navigation, cards on the home page. Each app registers its own in
its panels.py (imported at start-up by core's AppConfig.ready), so org, which draws the village page,
the menu and the home page, imports none of the apps above it.

- A village panel is a function (request, village) returning a (template name, context) pair, or
  None when it has nothing to show this user.
- A navigation entry is a label, a URL name (and its arguments), a place in the menu (`order`) and a
  function (user) -> bool saying whether the user's role can use it. An entry with a `menu` goes into
  that drop-down menu, under its `group` heading: every ledger is one (core/ledger.py `register`,
  grouped by its declared `group`), in the 台账 menu, grouped by field (LEDGER_GROUPS).
- A home card is declared once by the app that owns it (title, place, width); any app may add a part
  to it: a function (request) returning (template name, context) or None. A card with no part to show
  is left out.
"""

from dataclasses import dataclass, field
from typing import Callable

PANELS = []
NAVIGATION = []  # NavEntry, kept in menu order
HOME_CARDS = {}  # key → HomeCard


def village_panel(function):
    PANELS.append(function)
    return function


def render_panels(request, village):
    html = []
    for panel in PANELS:
        result = panel(request, village)
        if result is not None:
            html.append(_render(request, result))
    return html


def _render(request, result):
    from django.template.loader import render_to_string

    template, context = result
    return render_to_string(template, context, request=request)


LEDGER_MENU = "台账"
# The fields the 台账 menu is grouped by, in its order; every ledger declares one (Ledger.group).
LEDGER_GROUPS = ("治安防控", "矛盾纠纷", "安全", "宗教", "应急", "重点人员")


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


def navigation(user):
    """[(label, url)] of the top-bar entries this user can use, in menu order."""
    from django.urls import reverse

    return [(entry.label, reverse(entry.url_name, args=entry.args)) for entry in NAVIGATION if not entry.menu and entry.visible(user)]


def menus(user):
    """[(menu, [(group, [(label, url)])])] of the drop-down menus with an entry this user can use:
    groups in LEDGER_GROUPS order (others after them), entries in menu order, empty groups left out."""
    from django.urls import reverse

    found = {}
    for entry in NAVIGATION:
        if entry.menu and entry.visible(user):
            found.setdefault(entry.menu, {}).setdefault(entry.group, []).append((entry.label, reverse(entry.url_name, args=entry.args)))
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
