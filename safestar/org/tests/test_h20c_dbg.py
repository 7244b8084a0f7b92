import os
from django.db import connection
from django.test.utils import CaptureQueriesContext
from conftest import VILLAGE1, load_scheme

def test_dbg(login):
    load_scheme()
    client = login(os.environ.get("WHO", "village1"))
    url = f"/divisions/{VILLAGE1}/"
    client.get(url)
    with CaptureQueriesContext(connection) as c:
        client.get(url)
    print("N", len(c.captured_queries))
    for q in c.captured_queries:
        print("Q:", q["sql"][:230])
