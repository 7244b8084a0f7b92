"""One date input: ISO values (the only ones a browser's date input takes), declared once."""

import datetime
import pathlib
import re

import safestar
from safestar.core.ledger import LEDGERS
from safestar.core.widgets import DateInput


def test_a_stored_date_is_written_in_iso_under_the_chinese_locale(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    html = DateInput().render("due_on", datetime.date(2023, 11, 30))
    assert 'type="date"' in html and 'value="2023-11-30"' in html


def test_every_ledger_form_writes_its_dates_in_iso(world):
    from conftest import make_record
    from safestar.org.models import User

    user = User.objects.get(username="village1")
    for slug, ledger in LEDGERS.items():
        record = make_record(slug, "411422100201")
        form = ledger.form_class()(instance=record, user=user)
        for name in form.fields:
            value = getattr(record, name, None)
            if isinstance(value, datetime.date):
                assert f'value="{value:%Y-%m-%d}"' in str(form[name]), (slug, name)


def test_no_other_date_input_is_declared():
    root = pathlib.Path(safestar.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if "tests" not in p.parts and p.name != "widgets.py" and re.search(r"forms\.DateInput|\"type\": \"date\"", p.read_text())]
    assert offenders == []
