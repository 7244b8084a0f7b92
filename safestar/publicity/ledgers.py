from safestar.core.ledger import Ledger, register

from .models import Activity


@register
class PublicityLedger(Ledger):
    slug = "publicity"
    model = Activity
    title = "宣传台账"
    group = "治安防控"
    fields = (
        "held_on", "topic", "channel", "title", "audience", "participants", "app_installs", "materials",
        "organiser", "content",
    )
    list_display = ("held_on", "topic", "channel", "title", "participants", "app_installs")
    search_fields = ("title", "audience", "organiser", "content")
    date_field = "held_on"
    kind_field = "topic"
    example = {
        "held_on": "2023-06-15",
        "topic": "anti_fraud",
        "channel": "meeting",
        "title": "反电诈知识讲座暨国家反诈中心APP推广",
        "audience": "全体村民",
        "participants": 86,
        "app_installs": 32,
        "materials": 120,
        "organiser": "长岗村村委会",
    }
    synonyms = {
        "held_on": ("活动时间", "宣传日期", "开展时间", "日期", "宣传时间"),
        "topic": ("宣传类别", "宣传类型", "主题类别"),
        "channel": ("宣传形式", "活动形式", "方式"),
        "title": ("活动名称", "活动主题", "宣传活动名称"),
        "audience": ("受众", "参加对象", "对象"),
        "participants": ("参加人数", "受众人数", "覆盖人数", "人数", "参与人数"),
        "app_installs": ("反诈APP安装数", "安装反诈APP人数", "下载安装反诈APP", "推广安装"),
        "materials": ("发放资料", "资料份数", "发放材料", "发放宣传资料"),
        "organiser": ("主办单位", "承办单位", "组织者"),
        "content": ("活动内容", "宣传内容"),
    }
    units = {"materials": ("份", "册", "张"), "participants": ("人", "人次", "名"), "app_installs": ("人", "人次")}
