from safestar.core.ledger import Ledger, register

from .models import Activity


@register
class PublicityLedger(Ledger):
    slug = "publicity"
    model = Activity
    title = "宣传台账"
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
