"""Stored pages: a page a person opens again, unchanged, is sent as it was drawn instead of being
drawn again (the village page, the ledger lists, the scorecards, the rankings, the evaluation
rounds and the dashboards: the views decorated with `stored`).

A page is stored for one user (with their role, division and department), one address (with its
query and htmx headers), one day, the secret of the browser's CSRF cookie (the forms' tokens in it
stay valid; a browser without one is not served from the store) and one version of the data
(`version`, given by the stored results' invalidation, schemes/cache.py: the generation of all and the
generations of the villages of the user's county, which every write moves before it commits, and
which are read before the page is drawn). A page is used again only while all of these are the same,
so it is never older than what it shows; the store (the `pages` cache, in each process's memory)
only saves the drawing.

A page is not stored when drawing it wrote anything but stored results (an audit record, a session,
a notice: sending it again would skip the write), changed the session, set a cookie or its own
security policy, added a message, or is not a 200 HTML response, nor when a message waits to be
shown. Its CSP nonce is kept as a marker and replaced by the request's own. A stored view reads
nothing the generations do not watch (audit, notices, sessions, jobs: core/tests/test_pages.py checks
each stored view).
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse

from safestar.clock import today

from .statements import writes

STORE = "pages"  # the cache alias (settings.CACHES)
NONCE = b"\x00csp-nonce\x00"  # where the page's nonce was
LARGEST = 512 * 1024  # bytes: a larger page is not stored

# Set by the app that owns the data's generations (schemes/apps.py): version(user) -> a value that
# changes whenever anything the user's pages show may have changed, or None (then nothing is stored);
# and the tables a page may write while drawn (stored results) and still be stored.
version = None
may_write = set()


def stored(view):
    """Decorator of a view: its GET pages are stored and sent again while valid (module docstring)."""

    @wraps(view)
    def serve(request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        store = caches[STORE]
        found = store.get(key)
        if found is not None:
            return _again(request, *found)
        wrote, modified = Writes(), _session_modified(request)
        with connection.execute_wrapper(wrote):
            response = view(request, *args, **kwargs)
        if not wrote.any and _session_modified(request) == modified:
            kept = _kept(request, response)
            if kept is not None:
                store.set(key, kept)
        return response

    return serve


def _session_modified(request):
    return getattr(getattr(request, "session", None), "modified", False)


class Writes:
    """An execute wrapper noting whether a statement wrote a table other than those in `may_write`."""

    any = False

    def __call__(self, execute, sql, params, many, context):
        table = writes(sql) if isinstance(sql, str) else "?"
        if table is not None and table not in may_write:
            self.any = True
        return execute(sql, params, many, context)


def _key(request):
    """The page's key in the store, or None when it is not to be stored or sent from it."""
    if request.method != "GET" or version is None or not settings.SAFESTAR_STORED_PAGES:
        return None
    user, secret = request.user, request.META.get("CSRF_COOKIE")  # the secret of the browser's CSRF cookie
    if not user.is_authenticated or not user.division_id or not secret or len(get_messages(request)):
        return None
    data = version(user)  # before the page reads anything: a write after it gives another key
    if data is None:
        return None
    headers = request.headers
    parts = (user.pk, user.role, user.division_id, user.department_id, request.get_host(), request.get_full_path(),
             headers.get("HX-Request"), headers.get("HX-History-Restore-Request"), today().isoformat(), secret, data)
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _kept(request, response):
    """(status, headers, body with the nonce marked) of a response to store, or None."""
    if (response.status_code != 200 or response.streaming or response.cookies or len(get_messages(request))
            or not response.get("Content-Type", "").startswith("text/html")
            or hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config")):
        return None
    body = response.content
    if len(body) > LARGEST:
        return None
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # generated while drawing the page (a LazyNonce is false until then)
        body = body.replace(str(nonce).encode(), NONCE)
    return response.status_code, list(response.items()), body


def _again(request, status, headers, body):
    if NONCE in body:
        body = body.replace(NONCE, str(request._csp_nonce).encode())
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response
