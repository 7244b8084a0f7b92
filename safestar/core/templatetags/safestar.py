from django import forms, template
from django.utils.http import urlencode
from safestar.core.numbers import figure

register = template.Library()


@register.filter
def bs(bound_field):
    """Render a form field's widget with Bootstrap's classes (and is-invalid when it has errors)."""
    widget = bound_field.field.widget
    if isinstance(widget, (forms.CheckboxInput,)):
        css = "form-check-input"
    elif isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        css = ""
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if bound_field.errors:
        css += " is-invalid"
    return bound_field.as_widget(attrs={"class": css} if css else {})


@register.filter
def is_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def is_multi_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxSelectMultiple)


@register.simple_tag(takes_context=True)
def page_url(context, page_number):
    """The current URL's query with `page` replaced, so paging keeps search and filters."""
    params = context["request"].GET.copy()
    params["page"] = page_number
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def query_url(context, **changes):
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return "?" + urlencode(params, doseq=True) if params else ""


@register.simple_tag
def cell(obj, name):
    """A record's field as a person reads it (choice labels, names, dates, 是/否, — for empty)."""
    import datetime

    from safestar.core.ledger_ops import cell as value_of

    value = value_of(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return value


@register.filter(name="figure")
def figure_filter(value, unit=""):
    """A figure as people read it (core/numbers.py): {{ result.total|figure }}, {{ rate|figure:"%" }}."""
    if value is None or value == "":
        return ""
    return figure(value, unit)


@register.filter
def get(mapping, key):
    return mapping.get(key, key) if hasattr(mapping, "get") else ""


@register.filter
def content_type_id(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk
