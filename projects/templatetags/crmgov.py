import functools

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from projects.core import formatting, work
from projects.core.models import Membership
from projects.navigation import PROJECT_MENU, menu_groups
from projects.permissions import Capability, roles_with

register = template.Library()
register.filter("money", formatting.money)
register.filter("amount", formatting.amount)
register.filter("status_label", formatting.status_label)


NAV_TEMPLATES = {"bar": "includes/project_nav.html", "menu": "includes/project_nav_menu.html"}


@register.simple_tag(takes_context=True)
def project_nav_links(context, membership, layout: str = "bar") -> SafeString:
    """The project navigation's links this member may use, in their groups, the current one marked:
    `bar`, the row of group menus on a wide screen, or `menu`, the list under group headings in the
    phone's top-bar menu. The same links on every project page, so rendered once per project, set
    of links, page, language and layout, then remembered."""
    current = context["request"].resolver_match
    current_name = f"{current.namespace}:{current.url_name}" if current else ""
    shown = tuple(item.url_name for item in PROJECT_MENU if membership.can(item.capability))
    return _nav_html(membership.project.code, shown, current_name, get_language(), get_script_prefix(), layout)


@functools.lru_cache(maxsize=1024)
def _nav_html(
    code: str, shown: tuple[str, ...], current_name: str, language: str, script_prefix: str, layout: str
) -> SafeString:
    """`language` and `script_prefix` are in the key: the template's labels and URLs depend on them."""
    context = {"code": code, "groups": menu_groups(shown, current_name), "current": current_name}
    return render_to_string(NAV_TEMPLATES[layout], context)


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
