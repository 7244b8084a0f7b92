from safestar.core.ledger import Ledger, register

from .models import Camera, Clue, Patrol, SecurityProfile


@register
class SecurityProfileLedger(Ledger):
    slug = "security-profiles"
    model = SecurityProfile
    title = "村治安防控概况"
    fields = (
        "police_officer", "police_phone", "patrol_team", "full_time_members", "part_time_members", "patrol_members",
        "key_site_guards", "mutual_watch_shops", "entry_registration", "established_on", "updated_on",
    )
    list_display = ("police_officer", "patrol_team", "full_time_members", "part_time_members", "mutual_watch_shops", "updated_on")
    search_fields = ("police_officer", "patrol_team", "patrol_members")
    date_field = "updated_on"
    status_field = "entry_registration"
    example = {
        "police_officer": "王建军", "police_phone": "13837012345", "patrol_team": "长岗村治安巡逻队",
        "full_time_members": 2, "part_time_members": 6, "patrol_members": "李国强、张卫东、刘志刚、赵红军、孙建设、陈永福",
        "key_site_guards": 1, "mutual_watch_shops": 12, "entry_registration": True, "established_on": "2021-01-01", "updated_on": "2023-03-15",
    }


@register
class CameraLedger(Ledger):
    slug = "cameras"
    model = Camera
    title = "技防设施台账"
    fields = ("location", "kind", "channels", "networked", "working", "installed_on")
    list_display = ("location", "kind", "channels", "networked", "working", "installed_on")
    search_fields = ("location",)
    date_field = "installed_on"
    kind_field = "kind"
    status_field = "working"
    example = {"location": "村委会门口", "kind": "camera", "channels": 4, "networked": True, "working": True, "installed_on": "2023-06-01"}


@register
class PatrolLedger(Ledger):
    slug = "patrols"
    model = Patrol
    title = "巡逻记录"
    fields = ("patrolled_on", "members", "route", "hours", "findings", "handled")
    list_display = ("patrolled_on", "route", "members", "hours")
    search_fields = ("members", "route", "findings", "handled")
    date_field = "patrolled_on"
    example = {
        "patrolled_on": "2023-07-08", "members": "李国强、张卫东、刘志刚", "route": "村委会—学校—集贸市场—村东口",
        "hours": "2.0", "findings": "集贸市场一处电动车充电线私拉乱接", "handled": "当场劝导拆除，告知店主",
    }


@register
class ClueLedger(Ledger):
    slug = "clues"
    model = Clue
    title = "线索上报台账"
    fields = ("reported_on", "category", "content", "reported_to", "status", "result")
    list_display = ("reported_on", "category", "reported_to", "status")
    search_fields = ("content", "result")
    date_field = "reported_on"
    kind_field = "category"
    status_field = "status"
    example = {
        "reported_on": "2023-04-20", "category": "vice", "content": "村西头废弃厂房夜间有人聚集赌博",
        "reported_to": "长岗派出所", "status": "reported",
    }
