from decimal import Decimal

from django import forms, template
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from ..registry import project_nav

register = template.Library()


@register.filter
def money(value) -> str:
    """An amount with two decimals and comma grouping (as finance writes it, in both languages)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


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
def stacked_field(field) -> str:
    """A form's field (label, widget, errors, help text) in the markup of crispy's Bootstrap 5 field
    template, built in Python: crispy's nested templates cost a third of a form page's time
    (docs/performance.md). For text inputs, text areas, selects and file inputs without a current file."""
    if isinstance(field.field.widget, forms.FileInput):
        widget = _stacked_file_inputs(field)
    else:
        widget = format_html("{}{}{}", _stacked_widget(field), _field_errors(field), _help_text(field))
    css_classes = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}</div>',
        field.auto_id,
        f" {css_classes}" if css_classes else "",
        _stacked_label(field),
        widget,
    )


def _stacked_label(field) -> str:
    if not field.label:
        return ""
    required = field.field.required
    return format_html(
        '<label {}class="form-label{}">{}{}</label>',
        format_html('for="{}" ', field.id_for_label) if field.id_for_label else "",
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )


def _stacked_widget(field) -> str:
    """The widget with crispy's classes: its own (or its type's name), then Bootstrap's."""
    widget = field.field.widget
    type_name = widget.__class__.__name__.lower()
    classes = widget.attrs.get("class", "")
    if type_name not in classes:
        classes = f"{classes} {type_name}" if classes else type_name
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    for extra in (bootstrap, "is-invalid") if field.errors else (bootstrap,):
        if extra not in classes.split():
            classes += f" {extra}"
    return field.as_widget(attrs={"class": classes})


def _stacked_file_inputs(field) -> str:
    invalid = " is-invalid" if field.errors else ""
    disabled = " disabled" if field.field.disabled else ""
    inputs = []
    for subwidget in field.subwidgets:
        data = subwidget.data
        own_class = f" {data['attrs']['class']}" if data["attrs"].get("class") else ""
        attrs = "".join(
            f" {name}" if value is True else f' {name}="{escape(value)}"'
            for name, value in data["attrs"].items()
            if value is not False and name != "class"
        )
        inputs.append(
            format_html(
                '<div{}><input type="{}" name="{}" class="form-control{}{}"{}{}>{}{}</div>',
                mark_safe(' class="is-invalid"') if invalid else "",
                data["type"],
                data["name"],
                own_class,
                invalid,
                disabled,
                mark_safe(attrs),  # noqa: S308 (escaped above)
                _field_errors(field),
                _help_text(field),
            )
        )
    return mark_safe("".join(inputs))  # noqa: S308 (each built by format_html)


def _field_errors(field) -> str:
    if not field.errors:
        return ""
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        field.errors.field_id,
        format_html_join(
            "",
            '<p id="error_{}_{}"><strong>{}</strong></p>',
            ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
        ),
    )


def _help_text(field) -> str:
    if not field.help_text:
        return ""
    return format_html(
        '<div {}class="form-text">{}</div>',
        format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else "",
        mark_safe(str(field.help_text)),  # noqa: S308 (help texts are ours; crispy marks them safe too)
    )


@register.filter
def amount(value) -> str:
    """A whole amount with comma grouping in both languages (Django's zh-Hans format groups nothing)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.0f}"


@register.simple_tag(takes_context=True)
def project_nav_items(context, membership) -> list[dict]:
    """The project navigation entries this member may use, the current one marked."""
    current = context["request"].resolver_match
    current_name = f"{current.namespace}:{current.url_name}" if current else ""
    return [
        {
            "label": item.label,
            "icon": item.icon,
            "url": reverse(item.url_name, kwargs={"code": membership.project.code}),
            "active": current_name == item.url_name,
        }
        for item in project_nav
        if membership.can(item.capability)
    ]


@register.simple_tag(takes_context=True)
def sees_portfolio(context) -> bool:
    """Whether the top navigation links to the portfolio: without a query on a project page of a
    member who sees its dashboard, with one small query elsewhere."""
    from ..models import Membership
    from ..permissions import Capability, roles_with

    user = context["request"].user
    if not user.is_authenticated:
        return False
    membership = context.get("membership")
    if membership is not None and getattr(membership, "can", None) and membership.can(Capability.DASHBOARD_VIEW):
        return True
    return Membership.objects.active().filter(user=user, role__in=roles_with(Capability.DASHBOARD_VIEW)).exists()


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def progress_step(percent) -> int:
    """Bootstrap's width utilities come in quarters (w-0 … w-100); no inline style under our CSP."""
    return min(100, max(0, round(int(percent or 0) / 25) * 25))


STATUS_LABELS = {"green": _("green"), "amber": _("amber"), "red": _("red")}


@register.filter
def status_label(status) -> str:
    """green / amber / red in the reader's language."""
    return str(STATUS_LABELS.get(status, ""))
