"""Form fields as HTML built in Python, the same markup as the templates they replace: crispy's
Bootstrap 5 field template, Django's input, text area and select widget templates. Those templates
(an include per attribute list, per option, per help text) cost a third of a form page's time
(docs/performance.md)."""

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe

# Widgets whose templates `widget_html` writes out; any other widget renders through its template.
TEXT_INPUT = "django/forms/widgets/text.html"


TEXTAREA = "django/forms/widgets/textarea.html"


SELECT = "django/forms/widgets/select.html"


OPTION = "django/forms/widgets/select_option.html"


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
    return widget_html(field, {"class": classes})


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


def widget_html(field, attrs: dict) -> str:
    """`field.as_widget(attrs=attrs)` for text inputs, text areas and selects (without optgroups)."""
    widget = field.field.widget
    if widget.template_name not in (TEXT_INPUT, TEXTAREA, SELECT) or field.field.localize:
        return field.as_widget(attrs=attrs)
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if widget.template_name == TEXT_INPUT:
        return _input_html(context)
    if widget.template_name == TEXTAREA:
        return _textarea_html(context)
    return _select_html(context, field)


def _attrs_html(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    html = (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs_html(widget["attrs"])}>'
    )
    return mark_safe(html)  # noqa: S308 (every part escaped)


def _textarea_html(widget: dict) -> str:
    value = conditional_escape(localize(widget["value"])) if widget["value"] else ""
    html = f'<textarea name="{escape(widget["name"])}"{_attrs_html(widget["attrs"])}>\n{value}</textarea>'
    return mark_safe(html)  # noqa: S308 (every part escaped)


def _select_html(widget: dict, field) -> str:
    groups = widget["optgroups"]
    if any(group_name for group_name, _options, _index in groups) or any(
        option["template_name"] != OPTION for _name, options, _index in groups for option in options
    ):
        return field.as_widget(attrs=widget["attrs"])
    options = "".join(
        f'\n  <option value="{conditional_escape(option["value"])}"{_attrs_html(option["attrs"])}>'
        f"{conditional_escape(localize(option['label']))}</option>\n"
        for _name, group_options, _index in groups
        for option in group_options
    )
    html = f'<select name="{escape(widget["name"])}"{_attrs_html(widget["attrs"])}>{options}\n</select>'
    return mark_safe(html)  # noqa: S308 (every part escaped)
