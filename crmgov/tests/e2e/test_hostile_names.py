"""A name is text, never markup (issue 17): a key user who calls herself
<img src=x onerror=…> shows up in the PM's dashboard heat-map tooltip as those characters,
and no element or script of hers reaches the page."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from issues.models import DailyReport
from projects.permissions import Role

from .conftest import TIMEOUT_MS, Album, Phone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

HOSTILE = '<img src=x onerror="window.__xss=1">'
THURSDAY = datetime.datetime(2026, 6, 18, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}

# The text of what ECharts draws on its canvas (a rich-text tooltip has no DOM of its own).
DRAWN_TEXT = """container => {
  const chart = window.echarts.getInstanceByDom(container);
  const texts = [];
  chart.getZr().storage.getDisplayList(true).forEach(function (element) {
    if (element.style && typeof element.style.text === "string") { texts.push(element.style.text); }
  });
  return texts;
}"""
FIRST_LABELS = """container => {
  const option = window.echarts.getInstanceByDom(container).getOption();
  return [option.xAxis[0].data[0], option.series[0].name];
}"""
FIRST_POINT = """container => {
  const chart = window.echarts.getInstanceByDom(container);
  const first = chart.getOption().series[0].data[0];
  const point = Array.isArray(first) ? first.slice(0, 2) : [0, first];
  return chart.convertToPixel({ seriesIndex: 0 }, point);
}"""


@pytest.fixture
def dashboard(chinese_team, browser, live_server, artifacts, time_machine):
    """The PM's project dashboard on a desktop browser, with a key user named HOSTILE in its heat map;
    yields (page, the Content-Security-Policy complaints the browser logged)."""
    team = chinese_team
    key_user = team.user(Role.KEY_USER)
    key_user.full_name = HOSTILE
    key_user.save(update_fields=["full_name"])
    membership = team.members[Role.KEY_USER]
    membership.active_from = datetime.date(2026, 5, 1)
    membership.save(update_fields=["active_from"])
    for day in (datetime.date(2026, 6, 15), datetime.date(2026, 6, 16)):
        DailyReport.objects.create(
            project=team.project, reporter=key_user, cadence="daily", period_start=day, no_problems=True
        )
    time_machine.move_to(THURSDAY, tick=True)
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    complaints = []
    pm = Phone(context, team.user(Role.PM), "pm", live_server.url, Album(artifacts))
    pm.page.on(
        "console", lambda message: complaints.append(message.text) if "Content Security" in message.text else None
    )
    pm.log_in(live_server.url + reverse("projects:dashboard", kwargs={"code": team.project.code}))
    yield pm, complaints
    context.close()


def hover_first_point(page, kind: str):
    """Move the mouse over the first data point of the dashboard's chart of this kind; returns the chart."""
    kinds = page.locator(".dashboard-chart").evaluate_all(
        "elements => elements.map(e => JSON.parse(document.getElementById(e.dataset.source).textContent).kind)"
    )
    chart = page.locator(".dashboard-chart").nth(kinds.index(kind))
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas").first).to_be_visible()
    x, y = chart.evaluate(FIRST_POINT)
    box = chart.bounding_box()
    drawn = len(chart.evaluate(DRAWN_TEXT))
    # Just inside the grid, above a zero bar; a few moves, as a person's mouse would make, until
    # ECharts has drawn something more (its tooltip) or two seconds have passed.
    for step in range(10):
        page.mouse.move(box["x"] + x + step % 3, box["y"] + y - 5, steps=3)
        page.wait_for_timeout(200)
        if len(chart.evaluate(DRAWN_TEXT)) > drawn:
            break
    return chart


def test_a_hostile_name_is_shown_as_text_in_the_heat_map_tooltip(dashboard):
    pm, complaints = dashboard
    heat_map = hover_first_point(pm.page, "heatmap")
    drawn = heat_map.evaluate(DRAWN_TEXT)  # before the screenshot: its resize hides the tooltip
    pm.shot("heat-map-tooltip")
    assert pm.page.evaluate("typeof window.__xss") == "undefined"
    assert pm.page.locator("img[src='x']").count() == 0 and pm.page.locator("[onerror]").count() == 0
    assert any(HOSTILE in text for text in drawn), f"the tooltip shows the name as typed: {drawn}"
    assert not complaints, complaints


def test_chart_tooltips_need_no_inline_styles_under_the_csp(dashboard):
    pm, complaints = dashboard
    bars = hover_first_point(pm.page, "bar")
    drawn = bars.evaluate(DRAWN_TEXT)  # before the screenshot: its resize hides the tooltip
    pm.shot("bar-tooltip")
    category, series = bars.evaluate(FIRST_LABELS)
    # On the canvas: the tooltip repeats the axis label and the legend's series name.
    assert drawn.count(category) >= 2 and drawn.count(series) >= 2, f"the tooltip is drawn: {drawn}"
    assert not complaints, complaints
