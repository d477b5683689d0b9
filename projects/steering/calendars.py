"""Calendar invitations (RFC 5545) for steering committee meetings."""

from django.conf import settings
from django.utils import timezone

from projects.steering.models import Meeting


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    parts, current = [], ""
    for char in line:
        if len((current + char).encode()) > 74:
            parts.append(current)
            current = " " + char
        else:
            current += char
    return [*parts, current]


def _utc(moment) -> str:
    return moment.astimezone(timezone.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_invitation(meeting: Meeting, *, description: str, attendees, sequence: int = 0) -> str:
    """A REQUEST for the meeting, with its agenda as the description."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    location = meeting.location or meeting.online_url
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//crmgov//steering committee//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:meeting-{meeting.pk}@{host}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(timezone.now())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.ends_at)}",
        f"SUMMARY:{_escape(meeting.title)}",
        f"DESCRIPTION:{_escape(description)}",
    ]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if meeting.online_url:
        lines.append(f"URL:{meeting.online_url}")
    for user in attendees:
        lines.append(f"ATTENDEE;CN={_escape(user.full_name)};ROLE=REQ-PARTICIPANT:mailto:{user.email}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"
