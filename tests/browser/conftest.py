"""Browser fixtures: Debian's Chromium driven by pytest-playwright against pytest-django's live
server, with the persona world loaded into the (transactional) test database.

Every page a test opens is watched: console errors (CSP violations arrive there), uncaught page
errors, failed requests, any response >= 400 and any request that leaves the live server fail the
test when it ends. A test that opens an error page on purpose says so with `ui.goto(path, status=404)`.
"""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, build_world

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Relative page.goto() paths resolve against the live server. (This also replaces
    pytest-playwright's fallback base_url fixture, which pytest 9 warns about.)"""
    return live_server.url


@pytest.fixture
def browser_world(transactional_db):
    """The persona world, committed so the live server's thread sees it (the one built for the
    session, or built again after an earlier browser test flushed it); flushed after the test."""
    build_world()


class UI:
    """One watched page on the live server, plus the few steps every test needs."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.origin = urlsplit(self.base_url)
        self.problems = []
        self.expected = set()  # (url, status) of error documents a test opens on purpose
        page.set_default_timeout(5000)
        page.set_default_navigation_timeout(10000)
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    # -- watching -------------------------------------------------------------------------------

    def _on_console(self, message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and url in self.exempt_resource_errors():
            return
        self.problems.append(f"console error: {message.text} ({url})")

    def exempt_resource_errors(self):
        """URLs whose "Failed to load resource" console line is expected: the error documents a
        test opens on purpose."""
        return {url for url, _ in self.expected}

    def _on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme == "data":
            return
        if (parts.scheme, parts.netloc) != (self.origin.scheme, self.origin.netloc):
            self.problems.append(f"request outside the live server: {request.method} {request.url}")

    def _on_request_failed(self, request):
        # A sub-resource still loading when a click navigates away is cancelled by the browser
        # (net::ERR_ABORTED, seen with the favicon): not a failure of the page. Errors of the server
        # are caught by _on_response (status >= 400); a blocked request fails with another reason.
        if request.failure == "net::ERR_ABORTED" and request.resource_type != "document":
            return
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _on_response(self, response):
        if response.status < 400:
            return
        request = response.request
        if request.is_navigation_request() and (response.url, response.status) in self.expected:
            return
        self.problems.append(f"HTTP {response.status}: {request.method} {response.url} ({request.resource_type})")

    def check(self):
        """Let the page settle, then fail on anything the watchers saw."""
        if not self.page.is_closed():
            self.page.wait_for_load_state("networkidle")
        assert self.problems == [], "\n".join(self.problems)

    # -- steps ----------------------------------------------------------------------------------

    def url(self, path):
        return self.base_url + path

    def goto(self, path, status=200):
        url = self.url(path)
        if status >= 400:
            self.expected.add((url, status))
        response = self.page.goto(url)
        assert response is not None and response.status == status, (path, response and response.status)
        return response

    def login(self, username, password=PASSWORD):
        """Sign in as `username`, leaving whoever was signed in: the old page is left first, so no
        request of it still in flight (the bell, htmx) can set its session cookie again after the
        cookies are cleared (every response carries it: SESSION_SAVE_EVERY_REQUEST)."""
        page = self.page
        page.goto("about:blank")
        page.context.clear_cookies()
        self.goto("/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="登录").click()
        # where a login lands: the dashboard for the roles that run the campaign (dashboards.view), else home
        expect(page).to_have_url(re.compile("^" + re.escape(self.base_url) + "/(dashboard/)?$"))
        expect(page.get_by_test_id("user-menu")).to_have_count(1)
        return page

    def nav_link(self, label):
        return self.page.locator("#nav").get_by_role("link", name=label, exact=True)

    def child_rows(self):
        return self.page.get_by_test_id("children").locator("tbody tr")


@pytest.fixture
def ui(browser_world, live_server, page):
    watched = UI(page, live_server.url)
    yield watched
    watched.check()
