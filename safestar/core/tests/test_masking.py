import pytest

from safestar.core.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    "value, expected",
    [
        ("410102199001011234", "4101**********1234"),
        ("11010519491231002X", "1101**********002X"),
        (" 410102 199001011234 ", "4101**********1234"),
        ("410102900101123", "4101*******1123"),  # old 15-digit number
        ("4101021990", "41*******0"),
        ("12345678", "1*******"),  # short values show far less than 4 + 4
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value, expected):
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("13812345678", "138****5678"),
        ("0370-1234567", "037*****4567"),
        ("03701234567", "037****4567"),
        ("1234567", "12****7"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("张三丰", "张*丰"),
        ("张三", "张*"),
        ("张", "张"),
        ("欧阳娜娜", "欧**娜"),
        ("阿卜杜拉·艾则孜", "阿******孜"),
        (" 张三 ", "张*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(value, expected):
    assert mask_name(value) == expected


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone])
@pytest.mark.parametrize("length", range(1, 25))
def test_masks_never_show_more_than_the_rule(mask, length):
    value = "".join(str(i % 10) for i in range(length))
    masked = mask(value)
    assert len(masked) == length
    shown = sum(c != "*" for c in masked)
    head, tail = (4, 4) if mask is mask_id_number else (3, 4)
    assert shown <= head + tail
    assert masked.count("*") >= min(length, 4)
