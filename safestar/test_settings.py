"""Settings for the test suite: the real settings, with test-only speed-ups that change no behaviour
under test (a fast password hasher, static files served from the source folders)."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Most tests act as personas after force_login; two-factor authentication is switched on in the
# tests that are about it (safestar/org/tests/test_two_factor.py) and is always on in production.
SAFESTAR_REQUIRE_2FA = False

# Background jobs run at once, inside the test (core/background.py); the worker's own test
# (core/tests/test_background.py) runs the real `safestar worker` process on the database backend.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# On SQLite the test database is a file, not Django's shared in-memory database: the browser tests'
# live server answers requests in threads of its own (a page and its bell request at once) and,
# with an in-memory database, all of them and the test itself would share one connection, whose
# interleaved queries garble each other's rows (IndexError in the row converters, an HTTP 500).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405 (each xdist worker copies it: test_gw0.sqlite3, ...)

# A test's query counts must not depend on how long it ran: the once-a-minute session renewal
# (org/middleware.py) is off, except where org/tests/test_sessions.py turns it on.
SAFESTAR_SESSION_RENEW_AFTER = 10**9

# PostgreSQL: a test's commits need not wait for the disk (the browser tests, building the world, the
# migrations commit often; on the CI server every commit is flushed to disk, fsync = on). Only what a
# crash of the server would lose changes: nothing a test checks.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "options": "-c synchronous_commit=off"}  # noqa: F405
