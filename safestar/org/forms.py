from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django_otp import devices_for_user

from safestar.core.imports import Importer
from safestar.core.sheets import Column

from .models import Department, Division, User, validate_child_code
from .roles import DataField, Level, Role, spec
from .services import save_village


class VillageRowForm(forms.Form):
    """One village under a town: used by the add page (town fixed) and by each imported row."""

    town_code = forms.CharField(label="所属乡镇代码", max_length=12)
    code = forms.CharField(label="村级区划代码", max_length=12)
    name = forms.CharField(label="村名称", max_length=60)

    def __init__(self, *args, importer=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        self.user = user or importer.user

    def clean_town_code(self):
        code = str(self.cleaned_data["town_code"]).strip()
        town = Division.objects.writable_by(self.user).filter(code=code, level=Level.TOWN).first()
        if town is None:
            raise ValidationError(f"乡镇 {code} 不存在或不在您的管辖范围内")
        return town

    def clean_name(self):
        return str(self.cleaned_data["name"]).strip()

    def clean(self):
        data = super().clean()
        town, code = data.get("town_code"), str(data.get("code", "")).strip()
        if town is None or not code:
            return data
        try:
            validate_child_code(town, code, Level.VILLAGE)
        except ValidationError as exc:
            self.add_error("code", exc)
            return data
        if self.importer is not None:
            if code in self.importer.seen:
                self.add_error("code", f"代码 {code} 在文件中重复出现")
                return data
            self.importer.seen.add(code)
        existing = Division.objects.filter(code=code).first()
        if existing is not None and (self.importer is None or existing.parent_id != town.id):
            self.add_error("code", f"区划代码 {code} 已被使用")
        data["code"] = code
        data["existing"] = existing
        return data


VILLAGE_COLUMNS = (
    Column("town_code", "所属乡镇代码", width=16),
    Column("code", "村级区划代码", width=16),
    Column("name", "村名称", width=20),
)


class VillageImporter(Importer):
    key = "villages"
    title = "行政村"
    columns = VILLAGE_COLUMNS
    row_form = VillageRowForm

    def save(self, form):
        return save_village(form.cleaned_data)


class DivisionRenameForm(forms.ModelForm):
    class Meta:
        model = Division
        fields = ["name"]


class DepartmentForm(forms.ModelForm):
    fields = forms.MultipleChoiceField(
        label="共享的数据领域", choices=DataField.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Department
        fields = ["name", "kind", "division", "fields"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = Division.objects.writable_by(user).exclude(
            level__in=[Level.VILLAGE, Level.GRID]
        )
        self.fields["division"].help_text = "部门设在哪一级区划（如县公安局设在县，派出所设在乡镇）"


class AccountForm(forms.ModelForm):
    """Create or edit an account. The roles, divisions and departments offered are only those the
    acting user may grant: nobody can create an account wider than their own."""

    password1 = forms.CharField(
        label="初始密码", required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="确认密码", required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "role", "division", "department", "is_active"]
        labels = {"username": "登录名", "is_active": "启用"}
        help_texts = {"username": "字母、数字和 @/./+/-/_，不超过150个字符", "is_active": "停用后无法登录，数据保留"}

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        grants = spec(acting_user.role).grants
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in grants]
        levels = {level for role in grants for level in spec(role).anchor_levels}
        self.fields["division"].queryset = Division.objects.filter(
            path__startswith=acting_user.division.path, level__in=levels
        )
        self.fields["division"].required = True
        self.fields["division"].empty_label = self.fields["department"].empty_label = "请选择"
        self.fields["department"].queryset = Department.objects.filter(
            division__path__startswith=acting_user.division.path
        ).select_related("division")
        self.fields["division"].label_from_instance = lambda d: f"{d.name}（{d.code}）"
        self.fields["department"].label_from_instance = lambda d: f"{d.name}（{d.division.name}）"
        if self.instance.pk is None:
            self.fields["password1"].required = self.fields["password2"].required = True
            del self.fields["reset_2fa"]
        else:
            self.fields["password1"].label = "重设密码"
            self.fields["password1"].help_text = "留空则不修改密码"

    def clean_division(self):
        division = self.cleaned_data["division"]
        if not division.is_within(self.acting_user.division):
            raise ValidationError("只能把账号归属到您自己的管辖范围内")
        return division

    def clean(self):
        data = super().clean()
        if (data.get("password1") or data.get("password2")) and data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data

    def _post_clean(self):
        super()._post_clean()  # copies the form's values onto the instance and validates the model
        password = self.cleaned_data.get("password1")
        if password and "password2" not in self.errors:
            try:  # after the copy, so that "similar to the username" sees the new username
                password_validation.validate_password(password, self.instance)
            except ValidationError as exc:
                self.add_error("password1", exc)

    reset_2fa = forms.BooleanField(
        label="重置双因素认证", required=False, help_text="用户手机丢失时使用：删除其验证器和恢复码，下次登录重新绑定"
    )

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"], by_manager=True)  # changed at next login
        if commit:
            user.save()
            self._save_m2m()
        return user

    def _save_m2m(self):
        """After the account is saved (also through save(commit=False) and save_m2m(), as the audited save does)."""
        super()._save_m2m()
        if self.cleaned_data.get("reset_2fa"):
            for device in devices_for_user(self.instance, confirmed=None):
                device.delete()


ACCOUNT_AUDIT_FIELDS = ["username", "full_name", "phone", "role", "division", "department", "is_active"]
