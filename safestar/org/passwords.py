"""Password rules of 等保2.0 level 3 that Django does not ship (see AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = (  # Latin letters and digits; anything else (punctuation, Chinese characters) is a symbol
    ("大写字母", lambda c: c.isascii() and c.isupper()),
    ("小写字母", lambda c: c.isascii() and c.islower()),
    ("数字", lambda c: c.isascii() and c.isdigit()),
    ("符号", lambda c: not (c.isascii() and c.isalnum())),
)


class CharacterClassValidator:
    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _, test in CLASSES if any(test(c) for c in password))
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_classes")

    def get_help_text(self):
        names = "、".join(name for name, _ in CLASSES)
        return f"密码须包含{names}中的至少{self.min_classes}类。"


class UsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含登录名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含登录名。"


class HistoryValidator:
    """Refuses the current password and the ones before it, `count` in all; remembers each new one."""

    def __init__(self, count=5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        for encoded in user.password_history.values_list("password", flat=True)[: self.count]:
            if check_password(password, encoded):
                raise ValidationError(f"不能使用最近{self.count}次用过的密码。", code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        user.password_history.create(password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[self.count:]
        user.password_history.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return f"不能使用最近{self.count}次用过的密码。"
