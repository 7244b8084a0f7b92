from safestar.core.ledger import Ledger, register

from .models import VillageProfile


@register
class VillageProfileLedger(Ledger):
    slug = "village-profiles"
    model = VillageProfile
    title = "村基本情况（底数）"
    fields = ("population", "registered_population", "households", "area", "natural_villages", "grids", "grid_workers",
              "committee", "key_sites", "established_on", "updated_on")
    list_display = ("population", "households", "natural_villages", "grids", "grid_workers", "updated_on")
    search_fields = ("committee", "key_sites")
    date_field = "updated_on"
    fill_once = ("established_on",)
    example = {
        "population": 2860, "registered_population": 3120, "households": 812, "area": "4.35", "natural_villages": 5, "grids": 6,
        "grid_workers": 6, "committee": "张建国 党支部书记、村委会主任\n李秀兰 党支部副书记\n王振华 村委会委员、治保主任",
        "key_sites": "长岗小学\n集贸市场\n村南坑塘", "established_on": "2021-01-01", "updated_on": "2023-03-10",
    }
    synonyms = {
        "population": ("常住人口", "人口", "总人口", "常住人口数"),
        "registered_population": ("户籍人口", "户籍人数"),
        "households": ("户数", "总户数", "农户数"),
        "area": ("村域面积", "面积", "面积（平方公里）"),
        "natural_villages": ("自然村", "自然村数", "村民组", "村民小组数"),
        "grids": ("网格", "网格数量"),
        "grid_workers": ("网格员", "网格员数", "网格员数量"),
        "committee": ("村两委", "两委成员", "村两委班子"),
        "key_sites": ("重点部位", "重点场所名单"),
        "established_on": ("建档时间",),
        "updated_on": ("更新日期", "填报日期", "统计日期"),
    }
    units = {"population": ("人",), "registered_population": ("人",), "households": ("户",), "area": ("平方公里", "km²"),
             "natural_villages": ("个",), "grids": ("个",), "grid_workers": ("人", "名")}
