"""Rendering of e-mails: three templates each, in the recipient's language and a time zone.

`emails/<name>-subject.txt`, `emails/<name>-body.txt` and `emails/<name>-body.html`.
Text parts are rendered without HTML escaping; the HTML part gets its CSS inlined.
"""

import zoneinfo
from dataclasses import dataclass
from functools import cache

import css_inline
from django.conf import settings
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.template.loader import render_to_string
from django.utils import timezone, translation


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@cache
def _text_engine() -> Engine:
    options = settings.TEMPLATES[0]
    return Engine(dirs=options["DIRS"], app_dirs=True, autoescape=False, libraries=get_installed_libraries())


def _render_text(template_name: str, context: dict) -> str:
    # A bare Context escapes by default, whatever the engine says: say it here too.
    return _text_engine().get_template(template_name).render(Context(context, autoescape=False))


def one_line(text: str) -> str:
    """Collapse all white space, CR and LF included: a subject can never add a header."""
    return " ".join(str(text).split())


def render_email(name: str, context: dict, *, language: str, time_zone: str) -> RenderedEmail:
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(time_zone)):
        subject = one_line(_render_text(f"emails/{name}-subject.txt", context))
        text = _render_text(f"emails/{name}-body.txt", context).strip() + "\n"
        html = css_inline.inline(render_to_string(f"emails/{name}-body.html", context))
    return RenderedEmail(subject=subject[:255], text=text, html=html)
