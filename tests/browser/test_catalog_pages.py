"""A citizen in a real browser: home → search 社保 → open an item → read materials and where to go."""

import pytest

pytestmark = pytest.mark.browser


def test_citizen_searches_and_opens_an_item(live_demo, page, screenshot):
    page.goto(live_demo.url + "/")
    assert page.locator(".figure strong").first.inner_text() == "523"
    assert "高频便民事项" in page.locator(".figures").inner_text()
    screenshot("catalog-home")

    page.get_by_label("搜索事项").fill("社保")
    page.keyboard.press("Enter")
    page.wait_for_url("**/items/?q=*")
    results = page.locator("ol.items > li > a")
    assert results.count() > 0
    first = results.first.inner_text()
    assert any(word in first for word in ("社会保险", "社保", "养老保险", "社会保障卡", "失业保险", "工伤保险"))
    screenshot("catalog-search-shebao")

    results.first.click()
    page.wait_for_url("**/items/JJTB-*/")
    assert page.locator("h1").inner_text() == first
    assert page.locator("table.materials tbody tr").count() >= 1
    departments = page.locator("table.competences").inner_text()
    assert "北京城市副中心（通州区）" in departments and "廊坊市" in departments
    assert "三河市政务服务中心" in page.locator(".card h3").all_inner_texts()
    screenshot("catalog-item")


def test_filters_by_mode_update_the_list_without_reload(live_demo, page):
    page.goto(live_demo.url + "/items/")
    total = page.locator(".count").inner_text()
    assert "523" in total
    page.get_by_label("通办模式").select_option("多地联办")
    page.wait_for_function("document.querySelector('.count').innerText.indexOf('523') < 0")
    assert "mode=" in page.evaluate("location.search")  # the filtered list has its own address
    assert "多地联办" in page.locator("ol.items li").first.inner_text()


def test_typo_offers_the_right_word(live_demo, page):
    page.goto(live_demo.url + "/items/?q=营业执造")
    assert "营业执照" in page.locator(".suggestion").inner_text()
    assert page.locator("ol.items > li").count() > 0
