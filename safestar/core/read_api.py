"""Read-only REST resources generated from a declaration, the way the ledger API is (ledger_api.py):

    Resource("tasks", Task, fields=("id", "village", "title", "status", "overdue", ...),
             computed={"overdue": (bool, lambda task: task.overdue)}, related=("village", "responsible"),
             filters={"overdue": Filter(bool, False, lambda qs, on: overdue_tasks(qs) if on else qs)})

gives GET /api/v1/tasks/ (paginated, filtered) and GET /api/v1/tasks/{pk}, both through the scope
(a role that may not read the model at all, or an object outside the caller's scope: 404). The
output names fields the same way everywhere: a village or town by its code, an account by its
login name, any other related record by its id, and every choice field with its Chinese `_label`.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable

from django.conf import settings
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field, create_model

from .edge import Id, Limit, Offset
from .scope import can_read, get_visible_or_404, require


class Page(LimitOffsetPagination):
    """limit / offset within bounds (ninja's own has none: a huge offset overflowed the database)."""

    class Input(Schema):
        limit: Limit = 100
        offset: Offset = 0


@dataclass(frozen=True)
class Filter:
    type: Any  # the query parameter's type (None allowed: not given)
    default: Any = None
    apply: Callable = None  # (queryset, value) → queryset; default: the field of that name equals the value
    constraints: dict = field(default_factory=dict)  # ge, le, description, ... (an out-of-range value answers 422)


@dataclass(frozen=True)
class Resource:
    slug: str  # /api/v1/<slug>/
    model: type
    list_summary: str
    detail_summary: str
    fields: tuple  # output fields in order: model fields, and names in `computed`
    computed: dict = field(default_factory=dict)  # name → (type, function of the object)
    related: tuple = ()  # select_related for both routes
    filters: dict = field(default_factory=dict)  # query parameter → Filter
    schema: str = ""  # the output schema's name in the OpenAPI description (default: <Model>Out)


_TYPES = {"DateField": datetime.date, "DateTimeField": datetime.datetime, "BooleanField": bool, "FloatField": float}


def _field(model, name):
    """(type, resolver) of a model field as the API shows it."""
    f = model._meta.get_field(name)
    optional = f.null
    if f.many_to_one or f.one_to_one:
        label = f.related_model._meta.label
        if label == "org.Division":
            kind, value = str, (lambda obj, n=f.name: getattr(obj, n).code if getattr(obj, f"{n}_id") else None)
        elif label == settings.AUTH_USER_MODEL:
            kind, value = str, (lambda obj, n=f.name: getattr(obj, n).username if getattr(obj, f"{n}_id") else None)
        else:
            kind, value = int, (lambda obj, n=f.name: getattr(obj, f"{n}_id"))
    else:
        internal = f.get_internal_type()
        kind = _TYPES.get(internal, int if "Integer" in internal or "AutoField" in internal else str)
        value = None  # read as it is
    return (kind | None if optional else kind), value


def _out_schema(resource):
    annotations, namespace = {}, {}
    for name in resource.fields:
        if name in resource.computed:
            kind, value = resource.computed[name]
        else:
            kind, value = _field(resource.model, name)
        annotations[name] = kind
        if value is not None:
            namespace[f"resolve_{name}"] = staticmethod(value)
        if name not in resource.computed and resource.model._meta.get_field(name).choices:
            annotations[f"{name}_label"] = str
            namespace[f"resolve_{name}_label"] = staticmethod(lambda obj, n=name: getattr(obj, f"get_{n}_display")())
    namespace["__annotations__"] = annotations
    return type(Schema)(resource.schema or f"{resource.model.__name__}Out", (Schema,), namespace)


def _filter_schema(resource):
    fields = {name: (f.type, Field(f.default, **f.constraints)) for name, f in resource.filters.items()}
    return create_model(f"{resource.model.__name__}Filters", __base__=Schema, **fields)


def add_read_routes(router, *, slug, model, out, filters, rows, queryset, list_summary, detail_summary, tag=None):
    """The list and the detail route of a resource: the one place both generated APIs (the ledgers'
    and the declared read-only resources) check the role and the scope. `rows(user, params)`: the
    list's rows in the user's scope; `queryset()`: what the detail route looks the object up in."""
    tags = [tag] if tag else None

    def list_records(request, params: Query[filters]):
        require(can_read(model, request.auth))  # a role that may not read it at all: 404, like the pages
        return rows(request.auth, params)

    def list_all(request):  # no filters: ninja would take an empty parameter schema for a required parameter
        return list_records(request, filters())

    routed = paginate(Page)(list_records if filters.model_fields else list_all)
    router.get(f"/{slug}/", response=list[out], tags=tags, url_name=f"{slug}-list", operation_id=f"{slug}_list",
               summary=list_summary)(routed)

    @router.get(f"/{slug}/{{pk}}", response=out, tags=tags, url_name=f"{slug}-detail", operation_id=f"{slug}_read", summary=detail_summary)
    def read_record(request, pk: Id):
        require(can_read(model, request.auth))
        return get_visible_or_404(queryset(), request.auth, pk=pk)


def _rows(resource):
    def rows(user, params):
        rows = resource.model.objects.visible_to(user).select_related(*resource.related).order_by("-id")
        for name, f in resource.filters.items():
            value = getattr(params, name)
            if f.apply is not None:
                rows = f.apply(rows, value)
            elif value:
                rows = rows.filter(**{name: value})
        return rows

    return rows


def read_router(resources, tag):
    """A router with the list and detail routes of every resource."""
    router = Router(tags=[tag])
    for resource in resources:
        add_read_routes(
            router, slug=resource.slug, model=resource.model, out=_out_schema(resource), filters=_filter_schema(resource),
            rows=_rows(resource), queryset=lambda r=resource: r.model.objects.select_related(*r.related),
            list_summary=resource.list_summary, detail_summary=resource.detail_summary,
        )
    return router
