"""The reminder's one-tap link (issue 19): a signed token carrying one person, one project and one
period, which files "no problems" for that report and nothing else.

The token is signed with its own salt (no other signed value of the site reads as one, and it reads
as nothing else), expires with its period (checked against the project's today when used, and by a
maximum age as a backstop), and works once: its use is recorded (`ReportLink`). Opening it shows a
page; only the POST of that page's button files the report, so a mail scanner that follows links
files nothing.
"""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

from .periods import Cadence, period_end

SALT = "issues.report-link"
# The longest period (a month) and a day of time zones: a token older than this is refused outright.
MAX_AGE = datetime.timedelta(days=32)


@dataclass(frozen=True)
class ReportLinkFacts:
    user_id: int
    project_id: int
    period_start: datetime.date
    cadence: str

    @property
    def period_end(self) -> datetime.date:
        return period_end(self.cadence, self.period_start)


def report_link_token(*, user_id: int, project_id: int, period_start: datetime.date, cadence: str) -> str:
    return signing.dumps({"u": user_id, "p": project_id, "s": period_start.isoformat(), "c": cadence}, salt=SALT)


def report_link_path(*, project, user_id: int, period_start: datetime.date, cadence: str) -> str:
    token = report_link_token(user_id=user_id, project_id=project.pk, period_start=period_start, cadence=cadence)
    return reverse("issues:report_link", kwargs={"code": project.code, "token": token})


def report_link_read(token: str) -> ReportLinkFacts | None:
    """The facts of a genuine token, or None (forged, altered, too old, or of another shape)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        facts = ReportLinkFacts(
            user_id=int(data["u"]),
            project_id=int(data["p"]),
            period_start=datetime.date.fromisoformat(data["s"]),
            cadence=str(data["c"]),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return facts if facts.cadence in Cadence.values else None
