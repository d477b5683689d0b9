"""The risk register and the committee's action items as CSV and XLSX."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.permissions import Role
from projects.registers import services as services_registers
from projects.steering import services as services_steering
from projects.steering.models import Meeting


def url(name):
    return reverse(f"projects:{name}", kwargs={"code": "SCRM"})


def sheet_rows(response):
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def csv_lines(response):
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def add_risks(team, count, title="关键用户抵触"):
    for n in range(count):
        services_registers.risk_save(
            project=team.project, title=f"{title} {n}", probability=3, impact=4, owner=team.user(Role.PM)
        )


def add_actions(team, count):
    meeting = Meeting.objects.create(
        project=team.project,
        title="指导委员会",
        starts_at=datetime.datetime(2026, 12, 1, 2, tzinfo=datetime.UTC),
        created_by=team.user(Role.PM),
    )
    for n in range(count):
        services_steering.action_item_add(
            meeting=meeting, title=f"提交计划 {n}", owner=team.user(Role.PM), due_date=datetime.date(2027, 1, n + 1)
        )


def test_the_risk_register_as_xlsx_is_formula_safe(client, team):
    services_registers.risk_save(
        project=team.project, title='=HYPERLINK("http://evil","点我")', probability=5, impact=5, owner=None
    )
    add_risks(team, 1)
    client.force_login(team.user(Role.KEY_USER))
    response = client.get(url("risks_export_xlsx"))
    assert response["Content-Disposition"].startswith('attachment; filename="SCRM-risks-')
    header, first, second = sheet_rows(response)
    assert header[:3] == ("Score", "Risk", "Description")
    assert first[0] == 25 and first[1] == '\'=HYPERLINK("http://evil","点我")'
    assert second[1] == "关键用户抵触 0" and second[5] == "Project manager"


def test_the_risk_register_in_chinese(client, team):
    add_risks(team, 1)
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save()
    client.force_login(pm)
    header, row = csv_lines(client.get(url("risks_export_csv")))
    assert header.startswith("风险值,风险,")
    assert ",未关闭," in row


def test_action_items_as_csv_and_xlsx(client, team):
    add_actions(team, 2)
    client.force_login(team.user(Role.SPONSOR))
    header, first, _second = csv_lines(client.get(url("action_items_export_csv")))
    assert header == "Action,Owner,Due,Status,Meeting,Meeting date,Completed"
    assert first == "提交计划 0,Project manager,2027-01-01,Open,指导委员会,2026-12-01,"
    assert len(sheet_rows(client.get(url("action_items_export_xlsx")))) == 3


@pytest.mark.parametrize("name", ["risks_export_xlsx", "risks_export_csv", "action_items_export_xlsx"])
def test_export_queries_do_not_grow_with_rows(client, team, name, django_assert_num_queries, no_lazy_loads):
    add_risks(team, 1)
    add_actions(team, 1)
    client.force_login(team.user(Role.PM))

    def export():
        response = client.get(url(name))
        return b"".join(response.streaming_content) if response.streaming else response.content

    export()
    with no_lazy_loads(), CaptureQueriesContext(connection) as one:
        export()
    add_risks(team, 30, title="更多")
    add_actions(team, 20)
    with no_lazy_loads(), django_assert_num_queries(len(one.captured_queries)):
        export()
