"""Reporting periods: a day, a week (Monday to Sunday) or a calendar month (D-LOG-4)."""

import calendar
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


def period_start(cadence: str, day: datetime.date) -> datetime.date:
    if cadence == Cadence.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    if cadence == Cadence.MONTHLY:
        return day.replace(day=1)
    return day


def period_end(cadence: str, start: datetime.date) -> datetime.date:
    if cadence == Cadence.WEEKLY:
        return start + datetime.timedelta(days=6)
    if cadence == Cadence.MONTHLY:
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


def days_of(cadence: str, start: datetime.date) -> list[datetime.date]:
    end = period_end(cadence, start)
    return [start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1)]
