"""The Jinja2 engine (Django's built-in backend) for the few fragments the Django template language
renders too slowly (docs/performance.md): the issue list's rows. Templates in an app's `jinja2/`
folder; the issue filters' fields use Django's Jinja2 form renderer, which finds the same folders."""

import functools

from django.utils import formats, timezone
from django.utils.translation import get_language
from jinja2 import Environment


def short_date(moment) -> str:
    """A moment's day in the reader's time zone and short date format (as `|date:"SHORT_DATE_FORMAT"`)."""
    return _worded_day(timezone.localtime(moment).date(), get_language())


@functools.lru_cache(maxsize=4096)
def _worded_day(day, language: str) -> str:
    """A list's rows fall on a few days: each worded once per language (the format depends on it)."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def environment(**options) -> Environment:
    env = Environment(**options)  # noqa: S701 (Django's backend passes autoescape=True)
    env.filters["short_date"] = short_date
    return env
