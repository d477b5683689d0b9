"""How amounts and RAG statuses are written, in pages (the `crmgov` template filters) and in
what services send (chat messages, dashboards): one definition for both."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _


def money(value) -> str:
    """An amount with two decimals and comma grouping (as finance writes it, in both languages)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


def amount(value) -> str:
    """A whole amount with comma grouping in both languages (Django's zh-Hans format groups nothing)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.0f}"


STATUS_LABELS = {"green": _("green"), "amber": _("amber"), "red": _("red")}


def status_label(status) -> str:
    """green / amber / red in the reader's language."""
    return str(STATUS_LABELS.get(status, ""))
