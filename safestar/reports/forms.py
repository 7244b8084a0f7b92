from django import forms

from safestar.clock import today

from .models import Report, Requirement
from .services import countable_ledgers, ledger_title


class RequirementForm(forms.ModelForm):
    ledgers = forms.MultipleChoiceField(label="统计的台账", required=False, widget=forms.CheckboxSelectMultiple,
                                        help_text="每期汇报自动填入本期内这些台账的记录条数，村里可以修改")

    class Meta:
        model = Requirement
        fields = ["title", "year", "period", "due_days", "ledgers", "instructions"]
        widgets = {"instructions": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"due_days": "每期结束后多少天内报送，如 5 即下一期第 5 天前"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ledgers"].choices = countable_ledgers()
        self.fields["year"].initial = today().year

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("年度应在 2000 至 2100 之间")
        return year

    def clean_due_days(self):
        days = self.cleaned_data["due_days"]
        if days > 60:
            raise forms.ValidationError("报送期限不能超过期满后 60 天")
        return days


class ReportForm(forms.ModelForm):
    """The counts (one whole-number field per counted ledger, pre-filled) and the free text."""

    class Meta:
        model = Report
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = 5000
        self.fields["text"].help_text = "本期主要工作、存在问题和下步打算，不超过 5000 字"
        for slug, value in self.instance.counts.items():
            self.fields[f"count_{slug}"] = forms.IntegerField(
                label=f"{ledger_title(slug)}（条）", min_value=0, max_value=100000, initial=value,
                help_text="按台账自动统计，与实际不符时可以修改")
        self.order_fields([f"count_{slug}" for slug in self.instance.counts] + ["text"])

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text) > 5000:
            raise forms.ValidationError("工作情况不能超过 5000 字")
        return text

    def counts(self):
        return {slug: self.cleaned_data[f"count_{slug}"] for slug in self.instance.counts}
