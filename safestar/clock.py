"""Today's date, in one place, so that deadlines and overdue lists can be tested on frozen dates.

Code that decides what is overdue calls `today()`; tests use the `freeze_today` fixture (conftest.py).
"""

from django.utils import timezone

_frozen = None


def today():
    return _frozen or timezone.localdate()


def freeze(date):
    """Make today() return `date` (None: the real date again). For tests and the demo's fixed year."""
    global _frozen
    _frozen = date
