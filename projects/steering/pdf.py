import zoneinfo

from django.template.loader import render_to_string
from django.utils import timezone, translation

from projects.steering.models import Meeting


def minutes_pdf(meeting: Meeting, context: dict, *, language: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    with (
        translation.override(language),
        timezone.override(zoneinfo.ZoneInfo(meeting.project.time_zone)),
    ):
        html = render_to_string("projects/steering/minutes_pdf.html", {"meeting": meeting, **context})
    return HTML(string=html).write_pdf()
