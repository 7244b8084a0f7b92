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
