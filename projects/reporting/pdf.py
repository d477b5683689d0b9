"""PDF documents, rendered by WeasyPrint with the Noto Sans CJK SC font so Chinese reads correctly."""

import zoneinfo

from django.template.loader import render_to_string
from django.utils import timezone, translation


def document_pdf(template: str, context: dict, *, project, language: str) -> bytes:
    """Any page rendered as a PDF in `language` and the project's time zone."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(project.time_zone)):
        html = render_to_string(template, {"project": project, **context})
    return HTML(string=html).write_pdf()
