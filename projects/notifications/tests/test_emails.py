"""E-mail rendering: the text parts are plain text (no HTML escaping), the HTML part is escaped."""

from types import SimpleNamespace

from projects.notifications.emails import render_email

TRICKY = 'Can\'t export "Q3" & <save>'


def resolved_issue_email(language: str):
    issue = SimpleNamespace(
        reference="CRM-7",
        title=TRICKY,
        cause=TRICKY,
        fix="a < b && c > d",
        get_absolute_url="/p/CRM/issues/7/",
    )
    recipient = SimpleNamespace(full_name='O\'Brien "Bob" & Co')
    return render_email(
        "issue-resolved",
        {"issue": issue, "recipient": recipient},
        language=language,
        time_zone="Asia/Shanghai",
    )


def test_subject_and_text_part_show_quotes_ampersands_and_brackets_as_typed():
    email = resolved_issue_email("en")
    assert "CRM-7" in email.subject
    assert TRICKY in email.text
    assert "a < b && c > d" in email.text
    assert 'Hello O\'Brien "Bob" & Co,' in email.text
    for escaped in ("&#x27;", "&quot;", "&amp;", "&lt;", "&gt;"):
        assert escaped not in email.subject
        assert escaped not in email.text


def test_subject_with_user_text_is_not_escaped():
    email = render_email(
        "action-item-overdue",
        {
            "action": SimpleNamespace(title=TRICKY, due_date=None),
            "overdue_days": 3,
            "recipient": SimpleNamespace(full_name="Li"),
            "project": SimpleNamespace(code="CRM", name="A & B"),
        },
        language="en",
        time_zone="Asia/Shanghai",
    )
    assert TRICKY in email.subject


def test_html_part_escapes_user_text():
    email = resolved_issue_email("zh-hans")
    assert "<save>" not in email.html
    assert "&lt;save&gt;" in email.html
    assert "&amp;" in email.html
