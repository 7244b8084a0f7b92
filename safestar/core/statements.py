"""Which table an SQL statement writes: read by the stored results' invalidation (schemes/cache.py),
which sees every statement, and by the stored pages (core/pages.py), which keep no page whose drawing
wrote anything."""

import re

WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([A-Za-z0-9_]+)', re.I)
LOCKING = re.compile(r'^\s*SELECT\b.*\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b.*?$', re.I | re.S)
FROM = re.compile(r'\bFROM\s+"?([A-Za-z0-9_]+)', re.I)


def writes(sql):
    """The table an SQL statement writes (or locks for writing: SELECT … FOR UPDATE precedes a write),
    or None."""
    found = WRITE.match(sql)
    if found:
        return found.group(1).lower()
    if LOCKING.match(sql):
        table = FROM.search(sql)
        return table.group(1).lower() if table else "?"
    return None
