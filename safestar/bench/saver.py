"""The other session of `safestar bench import`: a process of its own (no Django: it is spawned
while the import runs) saving a record every second on its own SQLite connection."""

import sqlite3
import time


def save_every_second(path, code, stop, out):
    """Another session (its own process and connection, busy timeout 1 s): save a record every
    second until `stop`; put (time, wait in seconds or None for a failure) for each save on `out`."""
    db = sqlite3.connect(path, timeout=1, isolation_level=None)
    while not stop.is_set():
        began = time.time()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE org_division SET name = name WHERE code = ?", [code])
            db.execute("COMMIT")
            out.put((began, time.time() - began))
        except sqlite3.OperationalError:
            out.put((began, None))
        stop.wait(1)
    db.close()
    out.put(None)
