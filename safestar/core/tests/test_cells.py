"""Cells as clerks fill them: each accepted form gives the value, each refusal quotes the cell and
says what is accepted (core/cells.py)."""

import datetime

import pytest
from hypothesis import given, strategies as st

from safestar.core.cells import CellError, to_bool, to_choice, to_date, to_number, to_text

D = datetime.date(2023, 5, 6)


@pytest.mark.parametrize("cell", ["2023-05-06", "2023/5/6", "2023.5.6", "2023年5月6日", "２０２３年５月６日", " 2023 . 5 . 6 ",
                                  "20230506", 45052, 45052.0, "45052", datetime.datetime(2023, 5, 6, 14, 30), D, "2023-05-06 14:30"])
def test_every_usual_date_form(cell):
    assert to_date(cell) == D


@pytest.mark.parametrize("cell, message", [
    ("2023.13.5", "“2023.13.5”不是有效的日期（没有这一天），请按 2023-05-06、2023/5/6、2023.5.6、2023年5月6日 这样的格式填写"),
    ("2023.10", "“2023.10”只到月份，这一列须填到日，如 2023-05-06、2023/5/6、2023.5.6、2023年5月6日"),
    ("五月六日", "“五月六日”不是日期，请按 2023-05-06、2023/5/6、2023.5.6、2023年5月6日 这样的格式填写"),
    (True, "“TRUE”不是日期"), (-3, "“-3”不是日期"), (45052.5, "“45052.5”不是日期"),
])
def test_a_date_that_is_not_one_is_quoted_with_an_accepted_form(cell, message):
    with pytest.raises(CellError) as refused:
        to_date(cell)
    assert str(refused.value).startswith(message)


def test_a_month_field_takes_a_year_and_month():
    assert to_date("2023.10", month=True) == to_date("2023年10月", month=True) == datetime.date(2023, 10, 1)


@pytest.mark.parametrize("cell, value", [
    ("是", True), ("√", True), ("✓", True), ("有", True), ("已", True), ("在用", True), ("正常", True), ("已接入", True),
    ("已联网", True), ("已登记", True), ("y", True), (1, True), (True, True),
    ("否", False), ("×", False), ("✗", False), ("无", False), ("未", False), ("停用", False), ("损坏", False),
    ("未接入", False), ("未联网", False), ("未登记", False), (0, False), (False, False),
])
def test_yes_and_no_words(cell, value):
    assert to_bool(cell) is value


@pytest.mark.parametrize("cell", ["是的吧", "坏了一半", 2, "待定"])
def test_an_unknown_yes_no_word_is_refused_quoting_it(cell):
    with pytest.raises(CellError) as refused:
        to_bool(cell)
    assert str(refused.value).startswith(f"“{cell}”不是是/否")


@pytest.mark.parametrize("cell, units, value", [
    ("约200人", ("人",), 200), ("10台", ("台",), 10), ("500条", ("条",), 500), ("１２", (), 12), (12.0, (), 12), ("1,200", (), 1200),
])
def test_numbers_with_their_unit(cell, units, value):
    assert to_number(cell, units=units) == value


@pytest.mark.parametrize("cell, units, message", [
    ("10台", ("人",), "“10台”的单位“台”不对：这一列的单位是人"), ("10台", (), "“10台”的单位“台”不对：这一列只填数字"),
    ("2.5", (), "“2.5”不是整数"), ("很多", ("人",), "“很多”不是数字（可以带单位：人）"), (True, (), "“TRUE”不是数字"),
])
def test_a_number_in_the_wrong_unit_is_refused(cell, units, message):
    with pytest.raises(CellError) as refused:
        to_number(cell, units=units)
    assert str(refused.value) == message


def test_choices_take_labels_values_and_the_clerks_words():
    from safestar.disputes.models import DisputeStage
    from safestar.safety.models import RiskLevel

    assert to_choice("已化解", DisputeStage.choices) == to_choice("调解成功", DisputeStage.choices) == "resolved"
    assert [to_choice(w, RiskLevel.choices) for w in ("一般", "较大", "重大")] == ["medium", "high", "major"]
    with pytest.raises(CellError) as refused:
        to_choice("差不多了", DisputeStage.choices, "办理阶段")
    assert str(refused.value) == "“差不多了”不是可选的办理阶段，可选：受理、排查、调解中、已化解、已移交"


def test_text_refuses_control_characters_and_reads_numbers_as_written():
    assert to_text(13837012345.0) == "13837012345" and to_text(D) == "2023-05-06"
    with pytest.raises(CellError):
        to_text("abc\x00def")


class _Text(str):
    """A str that is not exactly str: to_date reads it the general way, never by its ISO shortcut."""


@given(st.one_of(
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.from_regex(r"\A[0-9０-９ +_-]{4}-[0-9０-９ +_-]{2}-[0-9０-９ +_-]{2}\Z"),
    st.text(alphabet="0123456789０５-+ _/.年月日T:", max_size=12),
))
def test_an_iso_date_read_at_once_is_what_the_general_reading_gives(text):
    """to_date reads 2023-05-06 at once; the date, or the error and its message, are the same as the
    general reading's (spaces, signs, full-width digits and impossible days included)."""
    def read(value):
        try:
            return to_date(value)
        except CellError as exc:
            return str(exc)

    assert read(text) == read(_Text(text))
