"""Browser lane: the quality cockpit, the region view and the quality report as their users meet them.

Each test loads a small demo (three dealers, the months to 2026-10-31, published runs) into the live server's
database and walks the pages in headless Chromium.  Screenshots of every main page at 1440 and 1024 pixels wide are
saved under ``test-results/screenshots/`` (CI keeps them) and checked not to be blank.
"""

import json
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from reports.tests.helpers import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"
WIDTHS = (1440, 1024)
PASSWORD = "demo12345"


@pytest.fixture
def demo(migrated_rows):
    call_command("demo_data", "--force", "--dealers", "3", "--months", "3", "--seed", "5", "--until", "2026-10-31",
                 stdout=StringIO())  # fmt: skip


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("header .user")).to_contain_text(re.compile(r"\S"))


def charts_drawn(page: Page, minimum: int) -> None:
    """At least ``minimum`` charts of the page are drawn by ECharts (an SVG inside each chart box)."""
    expect(page.locator(".chart svg").nth(minimum - 1)).to_be_attached(timeout=15_000)


def shoot(page: Page, name: str) -> list[Path]:
    """Full-page screenshots at each width; each must show more than a blank page (many colours, not one)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # the charts redraw on resize
        path = SHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        with Image.open(path) as image:
            colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
            assert colours is None or len(colours) > 50, f"{path.name} looks blank"
            assert image.width == width
        saved.append(path)
    page.set_viewport_size({"width": 1440, "height": 900})
    return saved


def test_manager_sees_why_the_score_changed_reaches_the_records_and_plans_an_action(page: Page, live_server, demo):
    base = live_server.url
    log_in(page, base, "manager3")  # SH01, the weak dealer
    page.goto(f"{base}/")
    expect(page.locator("#quality")).to_be_visible()
    charts_drawn(page, 3)  # workshop, waterfall, radar, trend
    shoot(page, "cockpit-manager")

    # The biggest negative contribution with an alert nobody acts on yet: its records, then an action.
    movers = page.locator("#movers tbody tr")
    worst = (
        movers.filter(has=page.locator("td.worse"))
        .filter(has=page.get_by_role("link", name="制定整改措施", exact=True))
        .first
    )
    expect(worst).to_be_visible()
    code = worst.locator("td").first.inner_text().split()[0]
    worst.locator("td").first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/evaluation/measures/{code}/"))
    expect(page.locator("#drilldown")).to_be_visible()
    shoot(page, "drilldown-records")

    page.go_back()
    page.locator("#movers tbody tr").filter(has_text=code).get_by_role("link", name="制定整改措施", exact=True).click()
    form = page.locator("#plan-form")
    expect(form).to_be_visible()
    form.locator("select[name=owner]").select_option(index=1)
    form.locator("textarea[name=cause_analysis]").fill("交车前未复核维修项目，返修集中在电气故障。")
    form.locator("textarea[name=plan]").fill("交车前由技术主管复检电气类工单，每周例会复盘。")
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    form.locator("input[name=due_date]").fill(due)
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_be_visible()
    page.goto(f"{base}/")
    row = page.locator("#movers tbody tr").filter(has_text=code)
    expect(row.locator(".who-fixes")).to_contain_text(due)

    # The full explanation: the contributions add up to the change.
    page.get_by_role("link", name=re.compile("为什么")).first.click()
    expect(page.locator("#sum-check")).to_be_visible()
    charts_drawn(page, 1)
    shoot(page, "explain-waterfall")


def test_region_manager_sees_only_their_region_and_compares_two_dealers(page: Page, live_server, demo):
    base = live_server.url
    log_in(page, base, "region_south")
    page.goto(f"{base}/")
    expect(page.locator("#ranking")).to_be_visible()
    charts_drawn(page, 2)
    heat = json.loads(page.locator("#chart-options-heatmap").text_content())
    assert set(heat["yAxis"]["data"]) and all("SH01" not in row for row in heat["yAxis"]["data"])
    assert any("GZ01" in row for row in heat["yAxis"]["data"]) and any("SZ01" in row for row in heat["yAxis"]["data"])
    expect(page.locator("#ranking")).not_to_contain_text("SH01")
    shoot(page, "network-region")

    selects = page.locator("#compare-form select[name=compare]")
    for index, code in enumerate(("GZ01", "SZ01")):
        selects.nth(index).select_option(selects.nth(index).locator("option", has_text=code).get_attribute("value"))
    page.locator("#compare-form button").click()
    expect(page.locator("#compare-table")).to_contain_text("GZ01")
    expect(page.locator("#compare-table")).to_contain_text("SZ01")
    shoot(page, "network-compare")


def test_a_monthly_report_is_generated_and_downloaded(page: Page, live_server, demo, tmp_path):
    base = live_server.url
    log_in(page, base, "manager1")
    page.goto(f"{base}/reports/")
    form = page.locator("form#report-form")
    form.locator("select[name=scope]").select_option(form.locator("option", has_text="GZ01").get_attribute("value"))
    form.locator("input[name=period][value=month]").check()
    form.locator("input[name=month]").fill("2026-10")
    form.locator("input[name=format][value=pdf]").check()
    form.locator("button[type=submit]").click()
    link = page.locator("#download")
    expect(link).to_be_visible(timeout=90_000)
    shoot(page, "reports")
    with page.expect_download() as download:
        link.click()
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    text = pdf_text(pdf.read_bytes())
    assert "GZ01" in text
    assert "2026-10" in text or "2026年10月" in text
    from evaluation.models import DealerEvaluation

    result = DealerEvaluation.objects.get(dealer__code="GZ01", run__period_start="2026-10-01", run__published=True)
    assert f"{result.score:.1f}" in text, "the PDF names the score"
