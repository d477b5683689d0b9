import functools
import html

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from projects.core import form_markup, formatting, work
from projects.core.models import Membership
from projects.navigation import PROJECT_MENU
from projects.permissions import Capability, roles_with

register = template.Library()
register.filter("money", formatting.money)
register.filter("amount", formatting.amount)
register.filter("status_label", formatting.status_label)


@register.filter
def lean_field(field) -> str:
    """A filter bar's field as Bootstrap markup, built in Python: crispy's templates per field cost
    more than a list page's rows (docs/performance.md). For GET filter forms: no help texts."""
    widget_class = "form-select" if hasattr(field.field.widget, "choices") else "form-control"
    errors = format_html_join("", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors))
    return format_html(
        '<div class="mb-3"><label class="form-label" for="{}">{}</label>{}{}</div>',
        field.auto_id,
        field.label,
        field.as_widget(attrs={"class": widget_class + (" is-invalid" if field.errors else "")}),
        errors,
    )


@register.filter
def table_cells(row) -> str:
    """`<td>{{ cell }}</td>` for each cell of a table row, joined in Python: a dashboard's tables have
    a hundred and more cells, and a template loop per row costs twice as much."""
    return mark_safe("".join(f"<td>{_cell_html(cell)}</td>" for cell in row))  # noqa: S308 (each cell escaped)


def _cell_html(cell) -> str:
    # Plain text and whole numbers, most cells, skip localisation (which leaves them as they are).
    if type(cell) is str:
        return html.escape(cell)
    if type(cell) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(cell)
    return conditional_escape(localize(template_localtime(cell)))


@register.filter
def stacked_field(field) -> str:
    """A form's field in crispy's Bootstrap 5 markup, built in Python (`form_markup`)."""
    return form_markup.stacked_field(field)


@functools.lru_cache(maxsize=4096)
def _project_url(url_name: str, code: str, script_prefix: str) -> str:
    """Every project page reverses its ~19 navigation links: the same few hundred URLs, so
    remembered (per script prefix, which `reverse` depends on)."""
    return reverse(url_name, kwargs={"code": code})


@register.simple_tag(takes_context=True)
def project_nav_links(context, membership) -> SafeString:
    """The project navigation's links this member may use, the current one marked, as HTML: the
    same ~19 links on every project page, so written once per project, set of links, page and
    language, then remembered."""
    current = context["request"].resolver_match
    current_name = f"{current.namespace}:{current.url_name}" if current else ""
    shown = tuple(item.url_name for item in PROJECT_MENU if membership.can(item.capability))
    return _nav_html(membership.project.code, shown, current_name, get_language(), get_script_prefix())


@functools.lru_cache(maxsize=1024)
def _nav_html(code: str, shown: tuple[str, ...], current_name: str, language: str, script_prefix: str) -> SafeString:
    items = {item.url_name: item for item in PROJECT_MENU}
    return format_html_join(
        "",
        '<li class="nav-item"><a class="nav-link text-nowrap{}" href="{}"{}>'
        '<i class="bi bi-{}" aria-hidden="true"></i> {}</a></li>',
        (
            (
                " active" if name == current_name else "",
                _project_url(name, code, script_prefix),
                mark_safe(' aria-current="page"') if name == current_name else "",
                items[name].icon,
                items[name].label,
            )
            for name in shown
        ),
    )


@register.simple_tag(takes_context=True)
def sees_portfolio(context) -> bool:
    """Whether the top navigation links to the portfolio: without a query on a project page of a
    member who sees its dashboard, with one small query elsewhere."""
    user = context["request"].user
    if not user.is_authenticated:
        return False
    if "sees_portfolio" in context:  # the portfolio itself knows
        return context["sees_portfolio"]
    membership = context.get("membership")
    if membership is not None and getattr(membership, "can", None) and membership.can(Capability.DASHBOARD_VIEW):
        return True
    return Membership.objects.active().filter(user=user, role__in=roles_with(Capability.DASHBOARD_VIEW)).exists()


@register.simple_tag(takes_context=True)
def my_work_count(context) -> int | None:
    """The top bar's count of what waits for the signed-in person, without a query: the "my work"
    page's own count there, elsewhere the count cached within the last minute, or None (the top bar
    then fetches it: projects.core.work)."""
    user = context["request"].user
    if not user.is_authenticated:
        return None
    if "my_work_count" in context:
        return context["my_work_count"]
    return work.cached_count(user)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def progress_step(percent) -> int:
    """Bootstrap's width utilities come in quarters (w-0 … w-100); no inline style under our CSP."""
    return min(100, max(0, round(int(percent or 0) / 25) * 25))
