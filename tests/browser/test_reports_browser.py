"""A quarterly work report in a real browser, from the town's requirement to the town's Word summary:
长岗村 reports on time, is returned with a reason and reports again; 杨庄村 reports late; the other
villages do not report. The dates are frozen (the live server shares the test's clock)."""

import datetime
import io

import pytest
from docx import Document
from playwright.sync_api import expect


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def fill_and_submit(ui, page, requirement_url, count, text):
    ui.goto(requirement_url)
    page.get_by_test_id("fill").click()
    page.get_by_role("link", name="填写汇报").click()
    page.get_by_label("矛盾纠纷排查化解台账（条）").fill(str(count))
    page.get_by_label("工作情况").fill(text)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_contain_text("已保存工作汇报")
    page.get_by_role("button", name="报送").click()
    expect(page.get_by_test_id("status")).to_have_text("待审核")


@pytest.mark.browser
@pytest.mark.slow
def test_a_quarterly_report_from_requirement_to_the_town_summary(ui, freeze_today):
    freeze_today(datetime.date(2023, 3, 20))
    page = ui.login("town")
    ui.nav_link("工作汇报").click()
    page.get_by_role("link", name="下达汇报要求").click()
    page.get_by_label("汇报名称").fill("平安建设工作季报")
    page.get_by_label("年度").fill("2023")
    page.get_by_label("报送周期").select_option(label="季报")
    page.get_by_label("报送期限（期满后天数）").fill("5")
    page.get_by_label("矛盾纠纷排查化解台账").check()
    page.get_by_role("button", name="下达").click()
    expect(page.get_by_role("alert")).to_contain_text("已下达")
    requirement_url = page.url.removeprefix(ui.base_url)
    expect(page.get_by_test_id("standing")).to_contain_text("待报")

    # 长岗村 reports on 3 April, with a photo, before the 5 April deadline
    freeze_today(datetime.date(2023, 4, 3))
    page = ui.login("village1")
    ui.goto(requirement_url)
    page.get_by_test_id("fill").click()
    expect(page.get_by_test_id("status")).to_have_text("填报中")
    page.get_by_label("选择文件").set_input_files({"name": "会议照片.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("attachments")).to_contain_text("会议照片.png")
    page.get_by_role("link", name="填写汇报").click()
    page.get_by_label("矛盾纠纷排查化解台账（条）").fill("4")
    page.get_by_label("工作情况").fill("长岗村一季度排查化解矛盾纠纷")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="报送").click()
    expect(page.get_by_test_id("status")).to_have_text("待审核")
    expect(page.get_by_test_id("timeliness")).to_contain_text("按时")

    # the town returns it with a reason
    freeze_today(datetime.date(2023, 4, 4))
    page = ui.login("town")
    ui.goto(requirement_url + "?period=1")
    page.get_by_test_id("standing").locator("tr[data-village='长岗村']").get_by_role("link", name="查看").click()
    page.get_by_role("button", name="退回").click()
    expect(page.get_by_role("alert")).to_contain_text("退回时须说明理由")
    page.get_by_label("审核意见（退回时必填）").fill("请补充调解成功率")
    page.get_by_role("button", name="退回").click()
    expect(page.get_by_test_id("status")).to_have_text("已退回")

    # 杨庄村 reports on 8 April: late
    freeze_today(datetime.date(2023, 4, 8))
    page = ui.login("village2")
    fill_and_submit(ui, page, requirement_url, 2, "杨庄村一季度化解纠纷2起")
    expect(page.get_by_test_id("timeliness")).to_contain_text("逾期")

    # 长岗村 sees the reason, corrects and reports again: still on time (its first submission counts)
    page = ui.login("village1")
    ui.goto(requirement_url)
    page.get_by_test_id("fill").click()
    expect(page.get_by_test_id("reason")).to_have_text("请补充调解成功率")
    page.get_by_role("link", name="填写汇报").click()
    page.get_by_label("工作情况").fill("长岗村一季度排查化解矛盾纠纷4起，调解成功率100%")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="报送").click()
    expect(page.get_by_test_id("timeliness")).to_contain_text("按时")

    # the town accepts both and downloads its summary to the county
    page = ui.login("town")
    for village in ("长岗村", "杨庄村"):
        ui.goto(requirement_url + "?period=1")
        page.get_by_test_id("standing").locator(f"tr[data-village='{village}']").get_by_role("link", name="查看").click()
        page.get_by_label("审核意见（退回时必填）").fill("同意")
        page.get_by_role("button", name="采纳").click()
        expect(page.get_by_test_id("status")).to_have_text("已采纳")
    ui.goto(requirement_url + "?period=1")
    standing = page.get_by_test_id("standing")
    expect(standing.locator("tr[data-village='长岗村']")).to_contain_text("按时")
    expect(standing.locator("tr[data-village='杨庄村']")).to_contain_text("逾期")
    expect(page.get_by_test_id("tally")).to_contain_text("按时 1")
    expect(page.get_by_test_id("tally")).to_contain_text("逾期 1")
    href = page.get_by_test_id("summary").get_attribute("href")
    response = page.request.get(ui.url(href))  # with the town's session; a click would start a download
    assert response.status == 200 and "attachment" in response.headers["content-disposition"]
    document = Document(io.BytesIO(response.body()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "按时报送1份、逾期报送1份" in text and "审核采纳2份" in text
    assert "长岗村：长岗村一季度排查化解矛盾纠纷4起，调解成功率100%" in text and "逾期报送：杨庄村" in text
    assert [c.text for c in document.tables[1].rows[-1].cells] == ["合计", "6"]
