from safestar.core.ledger import Ledger, register

from .models import NilReturn


@register
class NilReturnLedger(Ledger):
    slug = "nil-returns"
    model = NilReturn
    title = "零报告"
    fields = ("subject", "year", "declared_on", "note")
    list_display = ("subject", "year", "declared_on", "note")
    search_fields = ("note",)
    date_field = "declared_on"
    kind_field = "subject"
    example = {"subject": "disputes", "year": 2023, "declared_on": "2023-12-28", "note": "经排查，本年度本村无矛盾纠纷"}
    synonyms = {
        "subject": ("台账名称", "报告事项", "零报告事项"),
        "year": ("所报年度", "报告年度"),
        "declared_on": ("报告时间", "日期"),
        "note": ("备注",),
    }
    units = {"year": ("年", "年度")}
