"""The shared list machinery: search, pagination and htmx partial rendering for every list page."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

PER_PAGE = 20


def search(queryset, request, fields):
    """Filter by the `q` parameter over `fields` (icontains, any of them)."""
    q = request.GET.get("q", "").strip()
    if q:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": q})
        queryset = queryset.filter(condition)
    return queryset, q


def paginate(request, queryset, per_page=PER_PAGE, count=None):
    """The requested page of `queryset`; `count`: its number of rows when the caller has read it
    already (with another query), so that it is not counted again."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # in place of the cached COUNT query
    return paginator.get_page(request.GET.get("page"))


def render_list(request, template, context, partial="table"):
    """The full page, or only its table partial when htmx asks (search-as-you-type, paging). Every
    list page goes through here: it is marked a list page (`data-list-page` on <main>), whose
    tables (table.table-ss) become cards on a phone, and the browser test of phone lists finds it.

    htmx restoring a page from history (the Back button) gets the full page; `Vary` keeps the
    browser's cache from handing the bare partial back for a normal visit of the same URL.
    """
    headers = request.headers
    if headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true":
        template = f"{template}#{partial}"
    response = render(request, template, {**context, "list_page": True})  # phone cards: base.html, static/js/lists.js
    patch_vary_headers(response, ["HX-Request"])
    return response
