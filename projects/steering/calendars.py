"""Calendar invitations (RFC 5545) for steering committee meetings, built with `icalendar`, which
escapes, quotes and folds every value (a name such as `Li "Hua"; PM` included)."""

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone

from projects.steering.models import Meeting


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def meeting_invitation(meeting: Meeting, *, description: str, attendees, sequence: int = 0) -> str:
    """A REQUEST for the meeting, with its agenda as the description."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0]
    location = meeting.location or meeting.online_url
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//crmgov//steering committee//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(timezone.now()))
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("description", description)
    if location:
        event.add("location", location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    for user in attendees:
        attendee = icalendar.vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = user.full_name
        attendee.params["role"] = "REQ-PARTICIPANT"
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode()
