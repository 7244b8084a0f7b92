"""The session store (SESSION_ENGINE): Django's database sessions, the session read on every request
by a statement made once per process (core/compiled.py) instead of built and compiled by the ORM each
time. With the account's and the data version's queries, made once the same way, that was about a
third of the CPU of a page sent again from the store (core/pages.py)."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from safestar.core import compiled


def _session(user, key):
    return Session.objects.filter(session_key=key)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """As Django's: the session unless it has expired (then the key is forgotten, a new one is made)."""
        found = compiled.rows(_session, self.session_key) if isinstance(self.session_key, str) else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
