"""A CR/LF in user text cannot add an e-mail header or recipient, nor an HTTP header (issue 9)."""

import email

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.escalations.services import escalation_open
from projects.permissions import Role
from projects.registry import Detected

HOSTILE = "上线延期\r\nBcc: evil@x.example\r\nX-Injected: yes\nCc: evil2@x.example"


@pytest.fixture
def sent(team, django_capture_on_commit_callbacks):
    """Escalate with a hostile title; the e-mails go out (locmem backend) to the leadership."""
    team.project.name = "华南CRM\r\nBcc: evil3@x.example"
    team.project.save()
    with django_capture_on_commit_callbacks(execute=True):
        escalation_open(
            project=team.project,
            kind="other",
            detected=Detected(instance="", title=HOSTILE, what_happened="x", consequences="y"),
            automatic=False,
        )
    assert mail.outbox, "the escalation was e-mailed"
    return mail.outbox


def test_a_title_with_line_breaks_stays_inside_the_subject(sent):
    for message in sent:
        assert "\r" not in message.subject and "\n" not in message.subject
        assert "Bcc: evil@x.example" in message.subject, "the text is kept, on one line"


def test_a_title_with_line_breaks_adds_no_recipient_or_header(sent, team):
    leadership = {team.user(role).email for role in (Role.SPONSOR, Role.EXECUTIVE, Role.STEERING)}
    for message in sent:
        assert len(message.recipients()) == 1 and message.recipients()[0] in leadership
        assert not message.bcc and not message.cc
        parsed = email.message_from_bytes(message.message().as_bytes())
        assert parsed.get_all("Bcc") is None and parsed.get_all("Cc") is None
        assert parsed.get_all("X-Injected") is None
        assert parsed.get_all("To") == [message.to[0]]


def test_a_downloaded_file_name_cannot_add_a_response_header(client, team):
    from projects.registers.services import requirement_document_create

    upload = SimpleUploadedFile('需求"说明\r\nX-Injected: yes\r\n.pdf', b"%PDF-1.4 x", content_type="application/pdf")
    document = requirement_document_create(
        project=team.project, title="需求", kind="requirements", file=upload, note="", uploaded_by=team.user(Role.PM)
    )
    version = document.versions.get()
    client.force_login(team.user(Role.PM))
    response = client.get(
        reverse("projects:requirement_version_file", kwargs={"code": team.project.code, "pk": version.pk})
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition
    assert not response.has_header("X-Injected")
    # One quoted name: no stray quote can end it early and smuggle a parameter in.
    assert disposition.count('"') in {0, 2}, disposition
