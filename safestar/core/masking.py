"""Masking personal data for display (lists, exports, logs): 脱敏显示.

Each rule says how many characters may show at the head and the tail. A value shorter than the
usual one never shows more than the rule allows: the shown part shrinks until at least
`min_hidden` characters are masked, so a truncated or odd value is not revealed almost whole.
Empty values and None give "".
"""

MASK = "*"


def _mask(value, head, tail, min_hidden):
    text = "".join(str(value).split()) if value is not None else ""
    n = len(text)
    min_hidden = min(min_hidden, n)
    while n - head - tail < min_hidden:
        if tail >= head:  # shrink the tail first on a tie; both reach 0 at worst
            tail -= 1
        else:
            head -= 1
    return text[:head] + MASK * (n - head - tail) + text[n - tail :]


def mask_id_number(value) -> str:
    """"410102199001011234" → "4101**********1234": region prefix and last four only."""
    return _mask(value, 4, 4, min_hidden=7)  # 18 digits hide 10; the old 15-digit ones hide 7


def mask_phone(value) -> str:
    """"13812345678" → "138****5678"; landlines likewise ("0370-1234567" → "037*****4567")."""
    return _mask(value, 3, 4, min_hidden=4)


def mask_name(value) -> str:
    """"张三丰" → "张*丰", "张三" → "张*", "张" → "张": the surname (and a last character) only."""
    text = "".join(str(value).split()) if value is not None else ""
    if len(text) <= 1:
        return text
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]
