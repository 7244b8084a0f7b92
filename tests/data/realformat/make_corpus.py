"""Builds the real-format corpus: workbooks laid out the way township offices keep their ledgers.

    .venv/bin/python tests/data/realformat/make_corpus.py      (needs soffice for the .xls and .ods)

Each workbook has what real ledgers have and the templates do not: a title row merged across, a
unit/date line, a two-row header with merged top labels and line breaks in labels, 序号, the clerks'
own column names and words (√, 已联网, 调解成功, 一般/较大/重大, 约200人 …), dates in every form
(2023-04-03, 2023/4/10, 2023.4.15, 2023年4月20日, Excel serials in General cells), section rows
(一季度), 合计 rows and the 填表人/审核人 footer. The layouts follow the usual township ledgers
(矛盾纠纷排查调处台账, 安全隐患排查整治台账, 重点人员走访帮扶台账, 治安巡逻登记表, 视频监控台账,
信访台账, 应急物资台账, 宗教活动场所台账, 普法宣传台账). The generated files are committed; the
tests (tests/test_realformat.py) state what each must import to.
"""

import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
EPOCH = datetime.date(1899, 12, 30)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def serial(y, m, d):
    """The number Excel stores for a date (shown as a number in a General cell)."""
    return (datetime.date(y, m, d) - EPOCH).days


def id_number(first17):
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


class Book:
    """A workbook written the way clerks lay out a ledger."""

    def __init__(self, name, folder=HERE):
        self.path = folder / name
        self.book = xlsxwriter.Workbook(self.path)
        f = self.book.add_format
        self.title = f({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "font_name": "方正小标宋简体"})
        self.info = f({"font_size": 10, "font_name": "仿宋_GB2312"})
        self.head = f({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True, "font_name": "黑体"})
        self.cell = f({"border": 1, "valign": "vcenter", "text_wrap": True, "font_name": "仿宋_GB2312"})
        self.date = f({"border": 1, "num_format": "yyyy-mm-dd", "font_name": "仿宋_GB2312"})
        self.section = f({"bold": True, "border": 1, "bg_color": "#EDEDED", "font_name": "黑体"})

    def sheet(self, name, title, info, top, sub, widths=None):
        """A sheet with its title, info line and a two-row header. `top`: [(label, span)] where span
        1 means the label is merged down over both header rows; `sub`: the second row's labels for
        the spanned groups, in order."""
        ws = self.book.add_worksheet(name)
        width = sum(span for _, span in top)
        ws.merge_range(0, 0, 0, width - 1, title, self.title)
        ws.set_row(0, 30)
        ws.merge_range(1, 0, 1, width - 1, info, self.info)
        col, subs = 0, iter(sub)
        for label, span in top:
            if span == 1:
                ws.merge_range(2, col, 3, col, label, self.head)
            else:
                ws.merge_range(2, col, 2, col + span - 1, label, self.head)
                for i in range(span):
                    ws.write_string(3, col + i, next(subs), self.head)
            col += span
        for i, w in enumerate(widths or [6] + [14] * (width - 1)):
            ws.set_column(i, i, w)
        ws.row = 4
        ws.width = width
        return ws

    def rows(self, ws, rows):
        for row in rows:
            if isinstance(row, str):  # a section title merged across
                ws.merge_range(ws.row, 0, ws.row, ws.width - 1, row, self.section)
            else:
                for c, value in enumerate(row):
                    if isinstance(value, datetime.date):
                        ws.write_datetime(ws.row, c, datetime.datetime.combine(value, datetime.time()), self.date)
                    elif value is None:
                        ws.write_blank(ws.row, c, None, self.cell)
                    else:
                        ws.write(ws.row, c, value, self.cell)
            ws.row += 1

    def footer(self, ws, text="填表人：王秀兰　　　　审核人：李建国　　　　填报日期：2023年7月5日"):
        ws.row += 1
        ws.merge_range(ws.row, 0, ws.row, ws.width - 1, text, self.info)

    def close(self):
        self.book.close()
        return self.path


def disputes():
    b = Book("01_矛盾纠纷排查调处台账.xlsx")
    ws = b.sheet("台账", "长岗镇2023年上半年矛盾纠纷排查调处台账", "填报单位：长岗镇综治中心（盖章）　　　　　统计时间：2023年1月—6月",
                 [("序号", 1), ("村别", 1), ("受理\n时间", 1), ("纠纷来源", 1), ("当事人", 1), ("纠纷基本情况", 2), ("调处情况", 4)],
                 ["纠纷类型", "简要情况", "化解状态", "化解时限", "化解时间", "调处结果"])
    b.rows(ws, [
        "一季度",
        [1, "长岗村", "2023.1.9", "排查", "张某某、李某某", "宅基地纠纷", "两户因宅基地界墙归属发生争执", "调解成功", "2023.2.9", "2023.1.20", "经村调委会调解，签订调解协议"],
        [2, "杨庄村", serial(2023, 2, 14), "群众来访", "王某某、赵某某", "邻里纠纷", "排水沟堵塞导致邻里争吵", "已化解", serial(2023, 3, 14), serial(2023, 2, 20), "疏通排水沟，双方和解"],
        [3, "长岗", "2023年3月6日", "网格员排查", "刘某某、刘某", "婚姻家庭", "兄弟赡养老人费用分担争执", "调解中", "2023年4月6日", None, None],
        "二季度",
        [4, "李庄村", datetime.date(2023, 4, 3), "上级交办", "孙某某", "劳资纠纷", "务工人员工资拖欠两个月", "调解成功", "2023/5/3", "2023/4/18", "移交镇劳动保障所"],
        [5, "王楼村", "2023/5/12", "排查", "陈某、周某", "土地承包", "承包地边界争议", "化解中", "2023/6/12", None, None],
        [6, "杨庄村", "2023-06-01", "来访", "郑某某、吴某某", "债务纠纷", "民间借贷到期未还", "调解成功", "2023-07-01", "2023-06-15", "分期还款，双方签字确认"],
        ["合计", "", "6件", "", "", "", "", "化解3件", "", "", ""],
    ])
    b.footer(ws)
    return b.close()


def hazards():
    b = Book("02_安全隐患排查整治台账（分村）.xlsx")
    data = {
        "长岗村": [["坑塘", "村东大坑塘", "水深约3米，岸边无护栏、无警示牌", "较大", "王建国", "2023.5.8", "2023.6.8", "已整改", "2023.5.30"],
                  ["危房", "村西头废弃民房", "墙体开裂，有倒塌危险", "重大", "李志强", serial(2023, 5, 10), serial(2023, 7, 10), "整改中", None],
                  ["线路老化", "集贸市场东侧", "电动车充电线私拉乱接", "一般", "张红", "2023年5月12日", "2023年5月20日", "已整改", "2023年5月15日"]],
        "杨庄村": [["枯井", "村北机井旁", "废弃机井未封盖", "较大", "赵卫东", "2023/6/2", "2023/6/30", "未整改", None],
                  ["危桥", "杨庄南桥", "桥面护栏缺损", "一般", "孙建设", datetime.date(2023, 6, 5), datetime.date(2023, 7, 5), "整改中", None]],
        "李庄村": [["消防", "李庄小学", "灭火器过期", "低", "陈永福", "2023-06-10", "2023-06-20", "已完成", "2023-06-18"],
                  ["交通", "村口十字路口", "缺少减速带和警示标志", "较大", "刘志刚", "2023.6.12", "2023.8.12", "待整改", None]],
    }
    for village, rows in data.items():
        ws = b.sheet(village, f"长岗镇{village}安全隐患排查整治台账", "填报单位：长岗镇应急管理办公室　　　　填报时间：2023年6月",
                     [("序号", 1), ("隐患类型", 1), ("隐患\n地点", 1), ("隐患内容", 1), ("隐患等级", 1), ("整改责任人", 1),
                      ("排查整改情况", 4)],
                     ["排查日期", "整改时限", "整改情况", "整改完成时间"])
        b.rows(ws, [[i, *row] for i, row in enumerate(rows, start=1)] + [["小计", f"{len(rows)}处", "", "", "", "", "", "", "", ""]])
        b.footer(ws, "填表人：　　　　　　审核人：")
    summary = b.book.add_worksheet("汇总")
    summary.write_row(0, 0, ["长岗镇安全隐患汇总"])
    summary.write_row(2, 0, ["村名", "隐患数", "已整改"])
    summary.write_row(3, 0, ["长岗村", 3, 2])
    summary.write_row(4, 0, ["杨庄村", 2, 0])
    return b.close()


def publicity():
    b = Book("03_普法宣传台账.xlsx")
    ws = b.sheet("2023年", "长岗村2023年普法宣传活动台账", "填报单位：长岗村村民委员会",
                 [("序号", 1), ("活动时间", 1), ("宣传类别", 1), ("活动名称", 1), ("宣传形式", 1), ("宣传对象", 1),
                  ("宣传效果", 3), ("组织单位", 1)],
                 ["参加人数", "发放资料", "推广安装"])
    b.rows(ws, [
        [1, "2023.3.15", "民法典", "“美好生活·民法典相伴”宣讲", "集中宣讲", "全体村民", "约200人", "300份", 0, "长岗村村委会"],
        [2, serial(2023, 4, 10), "反诈", "反电诈知识讲座暨国家反诈中心APP推广", "讲座", "中老年人", "86人", "120份", "32人", "长岗派出所"],
        [3, "2023年5月20日", "防溺水", "暑期防溺水安全教育", "大喇叭", "中小学生及家长", None, 0, 0, "长岗村村委会"],
        [4, datetime.date(2023, 6, 8), "非法集资", "防范非法集资入户宣传", "入户", "留守老人", "45人", "45份", "5", "长岗镇司法所"],
        [5, "2023/6/26", "以案说法", "“民转刑”案例以案释法", "院坝会", "全体村民", 60, "80份", 0, "长岗镇司法所"],
        ["合计", "", "", "", "", "", 391, 545, 37, ""],
    ])
    b.footer(ws, "填表人：李长青　　　　填表日期：2023年6月30日")
    return b.close()


def keypersons():
    b = Book("04_重点人员登记及走访帮扶台账.xlsx")
    people = [
        ("长岗村", "欧阳某", "男", id_number("41142219850312101"), "13837011111", "长岗村三组", "吸毒人员", "在控", None, None),
        ("长岗村", "马某某", "男", id_number("41142219900708203"), "13837012222", "长岗村五组", "刑满释放人员", "在管", "2022.11.3", "盗窃罪，有期徒刑二年"),
        ("杨庄村", "牛某", "女", id_number("41142220070215302"), "", "杨庄村二组", "问题青少年", "在管", None, None),
    ]
    ws = b.sheet("重点人员", "长岗镇重点人员登记表", "填报单位：长岗镇平安办　　　　更新时间：2023年6月",
                 [("序号", 1), ("村别", 1), ("基本情况", 5), ("人员类别", 1), ("管控状态", 1), ("刑满释放人员填写", 2)],
                 ["姓名", "性别", "身份证号码", "联系电话", "现住址", "刑满释放日期", "原判罪名及刑期"])
    b.rows(ws, [[i, v, n, g, number, phone, addr, cat, status, rel, sen] for i, (v, n, g, number, phone, addr, cat, status, rel, sen) in enumerate(people, start=1)])
    b.footer(ws)
    visits = b.sheet("走访帮扶", "长岗镇重点人员走访帮扶台账", "填报单位：长岗镇平安办",
                     [("序号", 1), ("帮扶对象", 2), ("走访时间", 1), ("走访方式", 1), ("走访人", 1), ("走访帮扶情况", 1)],
                     ["姓名", "身份证号码"])
    b.rows(visits, [
        [1, "欧阳某", people[0][3], "2023.4.12", "入户走访", "李长青", "在家务农，情绪稳定，按时尿检"],
        [2, "欧阳某", people[0][3], serial(2023, 5, 15), "尿检", "长岗派出所民警", "尿检结果阴性"],
        [3, "马某某", "", "2023年5月20日", "帮教", "王秀兰", "介绍到镇上建材厂务工"],
        [4, "牛某", people[2][3], datetime.date(2023, 6, 1), "谈心谈话", "张老师", "已返校，学习态度好转"],
        ["合计", "走访4次", "", "", "", "", ""],
    ])
    b.footer(visits)
    return b.close()


def patrols_xlsx(path):
    fresh = Book(path.name, path.parent)
    ws = fresh.sheet("巡逻登记", "长岗镇治安巡逻登记表", "巡防队：长岗镇义务巡防队　　　　2023年7月",
                     [("序号", 1), ("村名", 1), ("巡逻时间", 2), ("巡逻人员", 1), ("巡逻路线", 1), ("发现问题", 1), ("处理情况", 1)],
                     ["日期", "时长"])
    fresh.rows(ws, [
        [1, "长岗村", "2023.7.1", "2小时", "李国强、张卫东", "村委会—学校—集贸市场", "无", ""],
        [2, "长岗村", serial(2023, 7, 3), "1.5小时", "刘志刚、赵红军", "村东口—坑塘—村西危桥", "坑塘警示牌倒伏", "当场扶正"],
        [3, "杨庄", "2023年7月5日", 2, "孙建设、陈永福", "杨庄南桥—村北机井", "无", ""],
        [4, "杨庄村", "2023/7/8", "3小时", "李国强、王建军", "夜间巡逻全村主干道", "一处路灯不亮", "告知村委会维修"],
        [5, "李庄村", datetime.date(2023, 7, 9), "2小时", "赵红军、孙建设", "李庄小学周边", "无", ""],
        ["合计", "", "", "10.5小时", "", "", "", ""],
    ])
    fresh.footer(ws, "记录人：李国强　　　　队长签字：")
    fresh.book.close()


def cameras():
    b = Book("06_视频监控台账.xlsx")
    ws = b.sheet("监控", "长岗镇“雪亮工程”视频监控点位台账", "填报单位：长岗派出所　　　　截止时间：2023年6月30日",
                 [("序号", 1), ("村名", 1), ("点位名称", 1), ("设备类型", 1), ("路数", 1), ("是否联网", 1), ("运行状态", 1), ("安装时间", 1)],
                 [])
    rows = [
        [1, "长岗村", "村委会门口", "球机", "4路", "已联网", "正常", "2022.6.15"],
        [2, None, "长岗小学门口", "枪机", 2, "√", "正常", serial(2022, 6, 15)],
        [3, None, "村东入口", "监控", "2路", "未联网", "损坏", "2021年9月1日"],
        [4, "杨庄村", "村委会", "高清监控", 4, "已接入", "在用", "2023/3/2"],
        [5, None, "南桥路口", "一键报警", None, "是", "正常", datetime.date(2023, 3, 2)],
    ]
    b.rows(ws, rows)
    ws.merge_range(4, 1, 6, 1, "长岗村", b.cell)  # the village written once, merged down over its rows
    ws.merge_range(7, 1, 8, 1, "杨庄村", b.cell)
    b.rows(ws, [["合计", "", "5处", "", "12路", "", "", ""]])
    b.footer(ws, "填表人：张警官　　　　审核：")
    return b.close()


def petitions():
    b = Book("07_信访台账.xlsx")
    ws = b.sheet("信访", "长岗镇2023年信访事项登记台账", "填报单位：长岗镇信访办公室",
                 [("序号", 1), ("村", 1), ("来访日期", 1), ("信访人", 1), ("信访方式", 1), ("反映问题", 1), ("是否积案", 1),
                  ("办理情况", 3)],
                 ["办理状态", "化解日期", "处理结果"])
    b.rows(ws, [
        [1, "长岗村", serial(2023, 2, 7), "赵某某", "走访", "反映邻村养殖场污水排入耕地", "否", "息诉罢访", serial(2023, 3, 1), "督促整改并赔偿青苗损失"],
        [2, "杨庄村", serial(2023, 3, 20), "钱某", "来信", "低保评定有异议", "×", "已办结", None, "已书面答复"],
        [3, "李庄村", "2023.4.11", "孙某某", "网上信访", "宅基地审批进度", "√", "办理中", None, None],
        [4, "长岗村", "2023年5月8日", "周某", "越级访", "征地补偿款分配", "是", "已化解", "2023年6月2日", "村民代表会议重新核定分配方案"],
        ["合计", "", "4件", "", "", "", "积案2件", "", "", ""],
    ])
    b.footer(ws)
    return b.close()


def supplies():
    b = Book("08_应急物资台账.xlsx")
    ws = b.sheet("物资", "杨庄村应急物资储备台账", "储备地点：杨庄村委会应急物资室　　　　检查人：赵卫东",
                 [("序号", 1), ("物资名称", 1), ("规格型号", 1), ("数量", 1), ("计量单位", 1), ("存放地点", 1), ("检查日期", 1), ("状况", 1)],
                 [])
    b.rows(ws, [
        [1, "发电机", "3kW 汽油发电机", "2台", "台", "村委会应急物资室", "2023.6.15", "良好"],
        [2, "强光手电", "LED 强光", 10, "", "村委会应急物资室", serial(2023, 6, 15), "完好"],
        [3, "灭火器", "4kg 干粉", "20具", "具", "各村民组", "2023年6月15日", "需维修"],
        [4, "救生衣", "成人款", "15件", "件", "村北坑塘边", "2023/6/16", "正常"],
        ["合计", "", "", 47, "", "", "", ""],
    ])
    b.footer(ws, "填表人：赵卫东　　　　审核人：杨建民")
    return b.close()


def venues():
    b = Book("09_宗教活动场所台账.xlsx")
    ws = b.sheet("场所", "长岗镇宗教活动场所基本情况台账", "填报单位：长岗镇统战办",
                 [("序号", 1), ("所在村", 1), ("场所名称", 1), ("教别", 1), ("是否\n登记", 1), ("登记证号", 1), ("负责人", 2),
                  ("地址", 1), ("信众人数", 1), ("最近走访日期", 1), ("状态", 1)],
                 ["姓名", "联系电话"])
    b.rows(ws, [
        [1, "长岗村", "长岗基督教聚会点", "基督", "已登记", "豫宗场证字（睢）0123号", "李秀英", "13937012345", "长岗村东街12号", "约40人", "2023.5.16", "正常"],
        [2, "杨庄村", "杨庄土地庙", "民间信仰", "未登记", "", "杨老汉", "13937023456", "杨庄村北头", 10, serial(2023, 4, 2), "正常活动"],
        [3, "王楼村", "王楼清真寺", "伊斯兰教", "√", "豫宗场证字（睢）0045号", "马阿訇", "0370-8123456", "王楼村中心街", 120, "2023年6月1日", "需关注"],
        ["合计", "", "3处", "", "", "", "", "", "", 170, "", ""],
    ])
    b.footer(ws)
    return b.close()


def mediators_xlsx(path):
    fresh = Book(path.name, path.parent)
    ws = fresh.sheet("调解员", "长岗村人民调解委员会成员花名册", "填报单位：长岗村人民调解委员会",
                     [("序号", 1), ("姓名", 1), ("职务", 1), ("联系电话", 1), ("选聘时间", 1), ("是否党员", 1), ("是否培训", 1), ("是否在岗", 1)],
                     [])
    fresh.rows(ws, [
        [1, "李长青", "主任", "13937045678", "2023.2.15", "是", "已培训", "在岗"],
        [2, "王秀兰", "委员", "13937045679", serial(2023, 2, 15), "否", "已培训", "在岗"],
        [3, "张卫东", "人民调解员", "13937045680", "2023年3月1日", "√", "未培训", "在岗"],
    ])
    fresh.footer(ws)
    fresh.book.close()


def disputes_unknown():
    b = Book("11_矛盾纠纷排查登记表（含其他列）.xlsx")
    ws = b.sheet("Sheet1", "杨庄村矛盾纠纷排查登记表", "填报单位：杨庄村调委会",
                 [("序号", 1), ("排查日期", 1), ("当事人", 2), ("纠纷类型", 1), ("纠纷简要情况", 1), ("调解员", 1),
                  ("办理状态", 1), ("化解时限", 1), ("办结日期", 1), ("调处结果", 1)],
                 ["姓名", "联系方式"])
    b.rows(ws, [
        [1, "2023.3.2", "杨某、冯某", "13800000001", "邻里", "院墙滴水纠纷", "王秀兰", "调解成功", "2023.4.2", "2023.3.10", "达成口头协议"],
        [2, serial(2023, 5, 9), "冯某某", "13800000002", "合同纠纷", "农机租赁费争议", "李长青", "化解中", serial(2023, 6, 9), None, None],
    ])
    b.footer(ws)
    return b.close()


def broken():
    b = Book("12_隐患台账（有错误）.xlsx")
    ws = b.sheet("长岗村", "长岗村安全隐患排查台账", "填报单位：长岗村",
                 [("序号", 1), ("隐患类型", 1), ("隐患地点", 1), ("隐患内容", 1), ("隐患等级", 1), ("整改责任人", 1),
                  ("排查日期", 1), ("整改时限", 1), ("整改情况", 1), ("整改完成时间", 1)],
                 [])
    b.rows(ws, [
        [1, "坑塘", "村南坑塘", "无护栏", "一般般", "王建国", "2023.13.5", "2023.8.1", "未整改", None],
        [2, "危房", "村北旧房", "屋顶漏雨", "较大", "李志强", "2023.6.1", "2023.7.1", "已整改", "2023.6.20"],
    ])
    return b.close()


def convert(source, kind):
    """An old-format copy made by LibreOffice (soffice --headless --convert-to)."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["soffice", "--headless", "--convert-to", kind, "--outdir", out, str(source)],
                       check=True, capture_output=True, timeout=180)
        made = Path(out) / (source.stem + "." + kind)
        target = HERE / made.name
        shutil.copyfile(made, target)
    return target


def main():
    for make in (disputes, hazards, publicity, keypersons, cameras, petitions, supplies, venues, disputes_unknown, broken):
        print(make())
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "05_治安巡逻登记表.xlsx"
        patrols_xlsx(source)
        print(convert(source, "xls"))
        source = Path(tmp) / "10_人民调解员花名册.xlsx"
        mediators_xlsx(source)
        print(convert(source, "ods"))


if __name__ == "__main__":
    main()
