"""Validators for Chinese personal identifiers, with messages that say what is wrong, and whole
numbers from crafted query values.

Only ASCII digits count (Python's \\d would also accept other scripts' digits); full-width input
from Chinese input methods is turned into ASCII by the normalise_* function before checking.
"""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError

from safestar.clock import today

# GB 11643-1999 / ISO 7064 MOD 11-2: weights of the first 17 digits; remainder → check character.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# Province-level codes (GB/T 2260): 11–15 North, 21–23 North-east, 31–37 East, 41–46 Central-south,
# 50–54 South-west, 61–65 North-west, 71 Taiwan, 81 Hong Kong, 82 Macao, 83 and 91 residence permits.
PROVINCES = {
    *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66),
    71, 81, 82, 83, 91,
}


def normalise_id_number(value) -> str:
    """Full-width → ASCII, no whitespace, lowercase x → X: the form to store and to hash."""
    if value is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


def id_check_char(first17: str) -> str:
    """The check character for 17 ASCII digits."""
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def validate_id_number(value):
    """A valid 18-character 居民身份证号 (lowercase x, spaces and full-width digits are accepted)."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError("身份证号应为 18 位，当前为 %(length)s 位", code="id_length", params={"length": len(number)})
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError("身份证号前 17 位应为数字，最后一位应为数字或 X", code="id_chars")
    if int(number[:2]) not in PROVINCES:
        raise ValidationError("身份证号前两位不是有效的省级行政区划代码", code="id_province")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期无效（第 7–14 位不是真实日期）", code="id_birth_date") from None
    if birth.year < 1900:
        raise ValidationError("身份证号中的出生日期无效（早于 1900 年）", code="id_birth_date")
    if birth > today():
        raise ValidationError("身份证号中的出生日期无效（晚于今天）", code="id_birth_date")
    if number[17] != id_check_char(number[:17]):
        raise ValidationError("身份证号校验码不正确，请核对每一位数字", code="id_check")


MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area code 0 + 2–3 digits, local number 7–8 digits, optional "-extension".
LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?")


def validate_phone(value):
    """A mainland mobile number (13812345678) or a landline (0370-1234567, 03701234567, …-123)."""
    text = "" if value is None else str(value).strip()
    if not (MOBILE.fullmatch(text) or LANDLINE.fullmatch(text)):
        raise ValidationError("请输入有效的手机号或固定电话号码", code="phone")


MAX_ID = 2**31 - 1  # the largest id (and number) every supported database stores in an integer column


def whole_number(value, low=1, high=MAX_ID):
    """A whole number from a query or form value, or None when it is not one in [low, high]
    (crafted values such as "²" pass str.isdigit() but not int(), and huge numbers overflow the database)."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if low <= number <= high else None
