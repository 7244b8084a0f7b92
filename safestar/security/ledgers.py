from safestar.core.ledger import Ledger, register

from .models import Camera, Clue, Patrol, SecurityProfile


@register
class SecurityProfileLedger(Ledger):
    slug = "security-profiles"
    model = SecurityProfile
    title = "村治安防控概况"
    group = "治安防控"
    fields = (
        "police_officer", "police_phone", "patrol_team", "full_time_members", "part_time_members", "patrol_members",
        "key_site_guards", "mutual_watch_shops", "entry_registration", "established_on", "updated_on",
    )
    list_display = ("police_officer", "patrol_team", "full_time_members", "part_time_members", "mutual_watch_shops", "updated_on")
    fill_once = ("established_on",)
    search_fields = ("police_officer", "patrol_team", "patrol_members")
    date_field = "updated_on"
    status_field = "entry_registration"
    example = {
        "police_officer": "王建军", "police_phone": "13837012345", "patrol_team": "长岗村治安巡逻队",
        "full_time_members": 2, "part_time_members": 6, "patrol_members": "李国强、张卫东、刘志刚、赵红军、孙建设、陈永福",
        "key_site_guards": 1, "mutual_watch_shops": 12, "entry_registration": True, "established_on": "2021-01-01", "updated_on": "2023-03-15",
    }
    synonyms = {
        "police_officer": ("驻村民警", "包村民警", "一村一警", "民警姓名"),
        "police_phone": ("民警电话",),
        "patrol_team": ("巡防队", "巡逻队", "巡防队名称"),
        "full_time_members": ("专职队员", "专职人数"),
        "part_time_members": ("兼职队员", "兼职人数"),
        "patrol_members": ("队员名单", "巡防队员"),
        "key_site_guards": ("专职保卫人员", "保卫人员数"),
        "mutual_watch_shops": ("守望互助商户", "守望互助户数"),
        "entry_registration": ("出入登记", "是否落实出入登记"),
        "established_on": ("建档日期", "建立时间"),
        "updated_on": ("更新日期", "填报日期"),
    }
    units = {"full_time_members": ("人", "名"), "part_time_members": ("人", "名"), "key_site_guards": ("人", "名"), "mutual_watch_shops": ("户", "家", "个")}


@register
class CameraLedger(Ledger):
    slug = "cameras"
    model = Camera
    title = "技防设施台账"
    group = "治安防控"
    fields = ("location", "kind", "channels", "networked", "working", "installed_on")
    list_display = ("location", "kind", "channels", "networked", "working", "installed_on")
    fill_once = ("installed_on",)
    search_fields = ("location",)
    date_field = "installed_on"
    kind_field = "kind"
    status_field = "working"
    example = {"location": "村委会门口", "kind": "camera", "channels": 4, "networked": True, "working": True, "installed_on": "2023-06-01"}
    synonyms = {
        "location": ("点位名称", "安装地点", "监控点位", "点位", "位置", "安装点位"),
        "kind": ("设施类型", "设备类型", "类型", "设施类别"),
        "channels": ("监控路数", "探头数", "探头数量", "数量", "路数（路）"),
        "networked": ("是否联网", "是否接入公安", "联网情况", "是否与公安联网", "接入情况", "是否接入雪亮工程", "是否接入"),
        "working": ("是否在用", "运行状态", "使用情况", "设备状态", "是否正常", "运行情况"),
        "installed_on": ("安装时间", "建设时间", "建成时间"),
    }
    units = {"channels": ("路", "个", "台")}


@register
class PatrolLedger(Ledger):
    slug = "patrols"
    model = Patrol
    title = "巡逻记录"
    group = "治安防控"
    fields = ("patrolled_on", "members", "route", "hours", "findings", "handled")
    list_display = ("patrolled_on", "route", "members", "hours")
    search_fields = ("members", "route", "findings", "handled")
    date_field = "patrolled_on"
    example = {
        "patrolled_on": "2023-07-08", "members": "李国强、张卫东、刘志刚", "route": "村委会—学校—集贸市场—村东口",
        "hours": "2.0", "findings": "集贸市场一处电动车充电线私拉乱接", "handled": "当场劝导拆除，告知店主",
    }
    synonyms = {
        "patrolled_on": ("巡逻时间", "日期", "巡防日期", "巡防时间"),
        "members": ("巡逻人", "参加人员", "巡防人员", "巡逻队员"),
        "route": ("巡逻路段", "巡逻区域", "巡逻范围", "路线", "巡逻地点"),
        "hours": ("巡逻时长", "时长", "巡逻时间（小时）"),
        "findings": ("发现问题", "巡逻情况", "巡查情况", "发现的问题"),
        "handled": ("处理情况", "处置结果", "处理结果", "处置情况"),
    }
    units = {"hours": ("小时", "h", "个小时")}


@register
class ClueLedger(Ledger):
    slug = "clues"
    model = Clue
    title = "线索上报台账"
    group = "治安防控"
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
    synonyms = {
        "reported_on": ("上报时间", "报告日期", "发现时间"),
        "category": ("线索类型", "类别"),
        "content": ("具体内容", "线索情况", "主要内容"),
        "reported_to": ("上报单位", "报送单位", "接报单位"),
        "status": ("办理情况", "处理状态"),
        "result": ("处理结果",),
    }
