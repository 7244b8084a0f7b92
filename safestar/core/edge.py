"""Input at the edge: every value that comes in with a request is cleaned or checked here, once,
before any view, form or schema sees it (docs/security.md "输入的边界").

- Text: `EdgeInput` (middleware) cleans every query parameter, form field and JSON string of
  characters that no document can hold: control characters other than tab and line break (a
  vertical tab or form feed pasted from Word becomes a line break, the rest are dropped, NUL
  included — PostgreSQL cannot store it and Word/xlsx files cannot contain it) and lone UTF-16
  surrogates (which no database encoding accepts). Spreadsheet cells are checked by core/cells.py.
- Dates: every form date field (`forms.DateField`) accepts only dates in the window
  [SAFESTAR_EARLIEST_DATE, today + SAFESTAR_DAYS_AHEAD]; forms that need a narrower window (ledger
  dates cannot lie ahead unless declared in `future_date_fields`) check that themselves.
- Numbers and choices in query strings: `whole_number`, `year`, `choice`, `flag` below give the
  value or None (= not given); API parameters declare the same bounds with `Id`, `Year`, `Limit`
  and `Offset`, so ninja answers 422 for a value outside them and the OpenAPI document shows them.
"""

import datetime
import json
import math
import re
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.http.multipartparser import MultiPartParserError
from pydantic import Field

from safestar import clock

from .validators import MAX_ID, whole_number

__all__ = ["MAX_ID", "whole_number", "clean_text", "year", "choice", "flag", "Id", "Year", "Limit", "Offset", "EdgeInput"]

_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # line breaks of other systems → \n
_UNWRITABLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")  # XML 1.0 cannot hold these


def clean_text(value):
    """Text without the characters Word, PDF, xlsx and PostgreSQL cannot hold (tab and \\n kept)."""
    if not isinstance(value, str):
        return value
    if value.isprintable():  # the common case: nothing to do
        return value
    return _UNWRITABLE.sub("", _BREAKS.sub("\n", value))


def _clean_json(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean_json(v) for k, v in value.items()}
    return value


def _clean_query(query):
    if all(key.isprintable() and all(v.isprintable() for v in values) for key, values in query.lists()):
        return query
    cleaned = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        cleaned.setlist(clean_text(key), [clean_text(v) for v in values])
    cleaned._mutable = False
    return cleaned


class EdgeInput:
    """Clean the text of every request (query string, form fields, JSON body) before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _clean_query(request.GET)
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            content_type = request.content_type or ""
            if content_type == "application/json":
                self._clean_body(request)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                try:
                    request._post = _clean_query(request.POST)  # request.FILES stays as parsed
                except (MultiPartParserError, OSError):
                    pass  # unreadable: the view sees an empty form, as it would without this step
        return self.get_response(request)

    @staticmethod
    def _clean_body(request):
        try:
            data = json.loads(request.body)
        except ValueError:
            return  # not JSON: the API answers 422 itself
        cleaned = _clean_json(data)
        if cleaned != data:
            request._body = json.dumps(cleaned, ensure_ascii=False).encode()


# Query values on pages: the value, or None when it is absent or not acceptable (the page then
# shows everything, as for an empty filter). API parameters use the annotated types below instead.


def year_window():
    return settings.SAFESTAR_YEARS


def day(value):
    """A date from a query value (YYYY-MM-DD) within the years of SAFESTAR_YEARS, else None."""
    try:
        found = datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    low, high = year_window()
    return found if low <= found.year <= high else None


def number(value):
    """A finite number from a form value ("3.5"), else None ("abc", "nan", "inf", "1e400")."""
    try:
        found = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def year(value):
    """A year from a query value within SAFESTAR_YEARS, else None."""
    low, high = year_window()
    return whole_number(value, low, high)


def choice(value, choices):
    """`value` when it is one of `choices` (values of a TextChoices, or any collection), else None."""
    values = getattr(choices, "values", choices)
    return value if isinstance(value, str) and value in values else None


def flag(value):
    """A yes/no filter from a query value: True, False, or None (not given or not a yes/no word)."""
    text = str(value or "").strip().lower()
    if text in ("1", "true", "yes", "on", "是"):
        return True
    if text in ("0", "false", "no", "off", "否"):
        return False
    return None


# API parameters: bounds declared in the type, so ninja validates them (422) and documents them.
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="编号（正整数）")]
Year = Annotated[int, Field(ge=settings.SAFESTAR_YEARS[0], le=settings.SAFESTAR_YEARS[1], description="年度")]
Limit = Annotated[int, Field(ge=1, le=1000, description="每页条数（1–1000）")]
Offset = Annotated[int, Field(ge=0, le=MAX_ID, description="跳过的条数")]


def _window(value, days, label, day=None):
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        return
    earliest = settings.SAFESTAR_EARLIEST_DATE
    latest = (day or clock.today()) + datetime.timedelta(days=days)
    if value < earliest:
        raise ValidationError("日期 %(value)s 早于 %(earliest)s，请检查年份", code="date_too_early",
                              params={"value": value.isoformat(), "earliest": earliest.isoformat()})
    if value > latest:
        raise ValidationError("日期 %(value)s 晚于 %(latest)s（%(label)s），请检查年份", code="date_too_late",
                              params={"value": value.isoformat(), "latest": latest.isoformat(), "label": label})


def check_date(value):
    """A form date within [SAFESTAR_EARLIEST_DATE, today + SAFESTAR_DAYS_AHEAD] (every forms.DateField)."""
    _window(value, settings.SAFESTAR_DAYS_AHEAD, "今天起一年内")


def check_planned_date(value):
    """The same for a date planned years ahead (a ledger's `planned_date_fields`, e.g. the next revision
    of an emergency plan): up to SAFESTAR_PLANNED_DAYS_AHEAD."""
    _window(value, settings.SAFESTAR_PLANNED_DAYS_AHEAD, "今天起十年内")


def on_day(validator, day):
    """`validator` with today fixed to `day` when it is one of the date windows above (an import reads
    today once per file, not once per cell: the current time zone's lookup costs more than the check);
    any other validator as it is."""
    if validator is check_date:
        return lambda value: _window(value, settings.SAFESTAR_DAYS_AHEAD, "今天起一年内", day)
    if validator is check_planned_date:
        return lambda value: _window(value, settings.SAFESTAR_PLANNED_DAYS_AHEAD, "今天起十年内", day)
    return validator


class IdConverter:
    """`<id:pk>` in page URLs: a whole number the id columns can hold; a larger one matches no page (404)
    instead of overflowing the database's integer."""

    regex = "[0-9]{1,10}"

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError("not an id")
        return number

    def to_url(self, value):
        return str(value)


def install():
    """Called once from CoreConfig.ready(), before any URL pattern is read: the `id` path converter
    and the date window on every form date field."""
    from django import forms
    from django.urls import register_converter

    register_converter(IdConverter, "id")
    if check_date not in forms.DateField.default_validators:
        forms.DateField.default_validators = [*forms.DateField.default_validators, check_date]
