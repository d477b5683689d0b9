"""Importing members from CSV or XLSX: preview with per-row errors, then all or nothing."""

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from projects.core.models import Membership, User
from projects.permissions import Role

HEADER = "email,name,role,department,title,active_until,is_key,receives_reports\n"


@pytest.fixture
def pm_client(client, team):
    client.force_login(team.user(Role.PM))
    return client


def url(name):
    return reverse(f"projects:{name}", kwargs={"code": "SCRM"})


def csv_file(text, name="members.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name="members.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile(name, output.getvalue())


def upload(client, file):
    return client.post(url("member_import"), {"file": file})


def confirm(client, response):
    return client.post(url("member_import_confirm"), {"token": response.context["token"]})


GOOD = HEADER + (
    "li.lei@example.com,李雷,key_user,销售部,销售经理,2027-06-30,yes,\n"
    "han.meimei@example.com,韩梅梅,项目经理,信息部,,,no,no\n"
    "wang.fang@example.com,王芳,Steering committee member,,,,,yes\n"
)


def test_a_clean_file_is_previewed_then_imported_with_invitations(pm_client, team, django_capture_on_commit_callbacks):
    preview = upload(pm_client, csv_file(GOOD))
    assert preview.status_code == 200
    assert not preview.context["preview"].has_errors
    assert not Membership.objects.filter(user__email="li.lei@example.com").exists()  # only a preview
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(pm_client, preview)
    assert response.status_code == 302
    imported = {
        m.user.email: m
        for m in Membership.objects.filter(project=team.project, user__email__endswith="@example.com").select_related(
            "user"
        )
        if m.user.email in {"li.lei@example.com", "han.meimei@example.com", "wang.fang@example.com"}
    }
    assert imported["li.lei@example.com"].role == Role.KEY_USER
    assert imported["li.lei@example.com"].is_key is True
    assert imported["li.lei@example.com"].active_until.isoformat() == "2027-06-30"
    assert imported["han.meimei@example.com"].role == Role.PM
    assert imported["han.meimei@example.com"].receives_reports is False
    assert imported["wang.fang@example.com"].role == Role.STEERING
    assert imported["wang.fang@example.com"].receives_reports is True
    assert sorted(m.to[0] for m in mail.outbox) == sorted(imported)
    assert all("/accounts/password/reset/key/" in m.body for m in mail.outbox)
    assert not User.objects.get(email="li.lei@example.com").has_usable_password()


def test_every_bad_row_is_shown_and_nothing_is_imported(pm_client, team):
    text = HEADER + (
        "not-an-email,某人,key_user,,,,,\n"
        "a@example.com,甲,chief,,,,,\n"
        "b@example.com,乙,key_user,,,,maybe,\n"
        "b@example.com,乙二,key_user,,,,,\n"
        f"{team.user(Role.CONSULTANT).email},顾问,consultant,,,,,\n"
        "c@example.com,,key_user,,,2027-13-40,,\n"
        "ok@example.com,好人,key_user,,,,,\n"
    )
    response = upload(pm_client, csv_file(text))
    preview = response.context["preview"]
    errors = {row.line: " ".join(row.errors) for row in preview.rows}
    assert "e-mail" in errors[2].lower()
    assert "Unknown role “chief”" in errors[3]
    assert "maybe" in errors[4]
    assert "Also on line 4" in errors[5]
    assert "Already a member" in errors[6]
    assert "Name" in errors[7] and "Active until" in errors[7]
    assert errors[8] == ""
    assert preview.error_count == 6
    assert 'name="token"' not in response.content.decode()  # no confirm button
    assert "nothing has been imported" in response.content.decode().lower()
    assert not User.objects.filter(email="ok@example.com").exists()


def test_an_xlsx_file_with_chinese_headers_and_a_date_cell(pm_client, team, django_capture_on_commit_callbacks):
    import datetime

    rows = [
        ["邮箱", "姓名", "角色", "部门", "关键人员"],
        ["zhao@example.com", "赵六", "项目经理", "IT", "是"],
        ["qian@example.com", "钱七", "key_user", "销售部", None],
    ]
    rows[2].append(None)
    rows[0].append("有效期至")
    rows[1].append(None)
    rows[2][-1] = datetime.datetime(2027, 1, 31)
    preview = upload(pm_client, xlsx_file(rows))
    assert not preview.context["preview"].has_errors, [r.errors for r in preview.context["preview"].rows]
    with django_capture_on_commit_callbacks(execute=True):
        confirm(pm_client, preview)
    zhao = Membership.objects.get(project=team.project, user__email="zhao@example.com")
    assert zhao.role == Role.PM and zhao.is_key
    assert Membership.objects.get(user__email="qian@example.com").active_until == datetime.date(2027, 1, 31)


def test_a_csv_saved_by_excel_in_gbk_is_read(pm_client):
    response = upload(pm_client, csv_file("邮箱,姓名,角色\nsun@example.com,孙悦,关键用户\n", encoding="gbk"))
    [row] = response.context["preview"].rows
    assert row.values["full_name"] == "孙悦"


def test_a_member_who_joined_since_the_preview_makes_the_import_fail_whole(
    pm_client, team, django_capture_on_commit_callbacks
):
    preview = upload(pm_client, csv_file(GOOD))
    Membership.objects.create(
        project=team.project,
        user=User.objects.create_user("wang.fang@example.com", None, full_name="王芳"),
        role=Role.KEY_USER,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(pm_client, preview)
    assert response.status_code == 400
    assert not User.objects.filter(email__in=["li.lei@example.com", "han.meimei@example.com"]).exists()
    assert mail.outbox == []


def test_a_confirmation_without_its_preview_imports_nothing(pm_client):
    response = pm_client.post(url("member_import_confirm"), {"token": "forged"})
    assert response.status_code == 302
    assert not User.objects.filter(email="li.lei@example.com").exists()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("members.txt", b"email\na@example.com\n"), "Upload a .csv or .xlsx file."),
        (SimpleUploadedFile("members.xlsx", b"not a zip"), "cannot be read as an Excel workbook"),
        (SimpleUploadedFile("members.csv", b"name,role\nx,pm\n"), "an e-mail column"),
        (SimpleUploadedFile("members.csv", b"email\n" + b"a@example.com\n" * 501), "At most 500"),
        (SimpleUploadedFile("members.csv", b"x" * (1024 * 1024 + 1)), "larger than 1 MB"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(pm_client, file, message):
    response = upload(pm_client, file)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_template_can_be_filled_in_and_imported(pm_client):
    response = pm_client.get(url("member_import"), {"template": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    headers, example = list(workbook.active.iter_rows(values_only=True))
    assert headers[0] == "E-mail address"
    preview = upload(pm_client, xlsx_file([headers, example]))
    assert not preview.context["preview"].has_errors


def test_the_template_in_chinese(pm_client, team):
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save()
    content = pm_client.get(url("member_import"), {"template": "csv"})
    text = b"".join(content.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("邮箱地址,姓名,角色,部门,职务,有效期至,关键人员,接收状态报告")
    preview = upload(pm_client, csv_file(text))
    assert not preview.context["preview"].has_errors


def test_the_preview_query_count_does_not_grow_with_rows(pm_client, django_assert_num_queries, no_lazy_loads):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(count):
        return HEADER + "".join(f"p{n}@example.com,人{n},key_user,,,,,\n" for n in range(count))

    upload(pm_client, csv_file(rows(2)))
    with no_lazy_loads(), CaptureQueriesContext(connection) as few:
        upload(pm_client, csv_file(rows(2)))
    with no_lazy_loads(), django_assert_num_queries(len(few.captured_queries)):
        response = upload(pm_client, csv_file(rows(40)))
    assert len(response.context["preview"].rows) == 40


# --- Hostile files (issue 17): a clear message, never a 500, and no minutes of CPU ---------------


def test_a_sheet_declaring_a_huge_size_is_refused_before_its_cells_are_read(pm_client):
    """A 5 KB workbook whose one stray cell sits at XFD2000 used to take 12.6 s to read."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "name"])
    sheet.append(["li.lei@example.com", "李雷"])
    sheet["XFD2000"] = "x"
    output = io.BytesIO()
    workbook.save(output)
    response = upload(pm_client, SimpleUploadedFile("members.xlsx", output.getvalue()))
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_a_workbook_with_only_a_chart_sheet_is_refused_with_a_message(pm_client):
    workbook = Workbook()
    workbook.create_chartsheet("Chart")
    workbook.remove(workbook.active)
    output = io.BytesIO()
    workbook.save(output)
    response = upload(pm_client, SimpleUploadedFile("members.xlsx", output.getvalue()))
    assert response.status_code == 400
    page = response.content.decode()
    assert "no sheet" in page or "cannot be read as an Excel workbook" in page


def test_a_csv_field_over_the_csv_modules_limit_is_refused_with_a_message(pm_client):
    text = HEADER + "li.lei@example.com," + "李" * (140 * 1024) + "\n"
    response = upload(pm_client, csv_file(text.replace("李" * (140 * 1024), "x" * (140 * 1024))))
    assert response.status_code == 400
    assert "too long" in response.content.decode() or "longer than" in response.content.decode()


def test_an_over_long_name_is_a_row_error_not_a_crash(pm_client):
    response = upload(pm_client, csv_file(HEADER + "li.lei@example.com," + "x" * 500 + ",key_user\n"))
    assert response.status_code in (200, 400)
    assert response.context["preview"].has_errors
