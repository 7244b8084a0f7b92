import datetime

import pytest
from django.core.exceptions import ValidationError

from safestar.clock import today
from safestar.core.validators import id_check_char, normalise_id_number, validate_id_number, validate_phone


def with_check(first17):
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the well-known example of GB 11643-1999
        "11010519491231002x",  # lowercase x is accepted
        "410102199001011234",
        "411422200002290026",  # 29 February of a leap year
        "650102194910010011",
        "810000198001010014",  # Hong Kong residence permit
        "830000200101010015",
        "910000199912310016",
        " 4101 0219 9001 0112 34 ",  # spaces are ignored
        "４１０１０２１９９００１０１１２３４",  # full-width digits from a Chinese input method
    ],
)
def test_valid_id_numbers(number):
    validate_id_number(number)


def _future():
    """Tomorrow's birth date, computed when the test runs: a value computed at collection becomes today
    when the run crosses midnight in Asia/Shanghai (16:00 UTC), as a CI run did."""
    day = today() + datetime.timedelta(days=1)
    return with_check(f"410102{day:%Y%m%d}123")


@pytest.mark.parametrize(
    "number, message",
    [
        ("11010519491231002", "应为 18 位，当前为 17 位"),
        ("11010519491231002X1", "应为 18 位"),
        ("", "应为 18 位，当前为 0 位"),
        (None, "应为 18 位"),
        ("1101051949123100XX", "前 17 位应为数字"),
        ("11010519491231002Y", "最后一位应为数字或 X"),
        ("410102199001011235", "校验码不正确"),
        ("110105194912310021", "校验码不正确"),
        ("11010519491231003X", "校验码不正确"),  # one digit changed
        (with_check("41010219900230123"), "出生日期无效"),  # 30 February
        (with_check("41010219001301123"), "出生日期无效"),  # month 13
        (with_check("41010219000229123"), "出生日期无效"),  # 1900 was not a leap year
        (with_check("41010218991231123"), "早于 1900 年"),
        (_future, "晚于今天"),
        (with_check("10010519491231002"), "省级行政区划代码"),
        (with_check("16010519491231002"), "省级行政区划代码"),
        (with_check("72010519491231002"), "省级行政区划代码"),
        (with_check("99010519491231002"), "省级行政区划代码"),
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(number, message):
    if callable(number):
        number = number()
    with pytest.raises(ValidationError) as info:
        validate_id_number(number)
    assert message in info.value.messages[0]


@pytest.mark.parametrize(
    "value, expected",
    [("11010519491231002x", "11010519491231002X"), (" 1101 0519491231002x\n", "11010519491231002X"), ("１１０１", "1101"), (None, "")],
)
def test_normalise_id_number(value, expected):
    assert normalise_id_number(value) == expected


@pytest.mark.parametrize(
    "phone",
    ["13812345678", "19912345678", "0370-1234567", "03701234567", "010-62345678", "01062345678", "0370-1234567-123", " 13812345678 "],
)
def test_valid_phones(phone):
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "",
        None,
        "12345678901",  # 12 is not a mobile prefix
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "138-1234-5678",
        "+8613812345678",
        "370-1234567",  # area code without 0
        "0370-123456",  # local number too short
        "0370-123456789",  # local number too long
        "0370-1234567-1234567",  # extension too long
        "0370-1234567-",
        "１３８１２３４５６７８",  # full-width digits are not silently accepted
        "1381234567８",
        "13812345678\n1",
    ],
)
def test_invalid_phones(phone):
    with pytest.raises(ValidationError) as info:
        validate_phone(phone)
    assert info.value.messages == ["请输入有效的手机号或固定电话号码"]
