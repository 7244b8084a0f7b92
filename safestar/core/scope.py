"""The one data-scope mechanism.

Every queryset that reaches a person goes through `Model.objects.visible_to(user)` (or
`writable_by(user)`), and every single object through `get_visible_or_404`. Pages, exports,
imports, the API and dashboards all call these; nothing filters by division on its own.

A scoped model declares three class attributes:

    scope_path   ORM path from the model to its Division's materialised path ("division__path")
    scope_read   the RoleSpec capability that lets a role read it ("reads_business", "reads_org", ...)
    scope_write  the RoleSpec capability that lets a role change it (None: nobody may)
    data_field   (business data only) the DataField a department must share to see it
    scope_include_unowned  (optional) rows with an empty path are seen by every reader too
    scope_include_ancestors  (optional) rows of the divisions above the user's anchor can be read
                           too, never written (a village reads its town's scheme and departments)
    scope_roles  (optional) only these roles may read it at all, whatever their capabilities;
                 scope_write_roles likewise for writing (the key-person registry)
    scope_extra(queryset, user, write)  (optional) narrows the rows further for the user's role

A user sees an object when their role has the capability and the object's division lies in the
subtree of the user's anchor division (path prefix). Objects outside answer 404, never 403.
"""

from django.apps import apps
from django.db import models
from django.db.models import F, Lookup, Q
from django.db.models.lookups import StartsWith
from django.http import Http404


def _allowed(model, user, capability_attr) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.division_id):
        return False
    role = user.spec  # the RoleSpec of the user's role (org/roles.py)
    capability = getattr(model, capability_attr)
    if capability is None or not getattr(role, capability):
        return False
    roles = getattr(model, "scope_write_roles" if capability_attr == "scope_write" else "scope_roles", None)
    if roles is not None and user.role not in roles:
        return False
    field = getattr(model, "data_field", None)
    if role.needs_department and field is not None:
        return user.department_id is not None and field in user.department.fields
    return True


def scope_filter(queryset, user, write=False):
    model = queryset.model
    if not _allowed(model, user, "scope_write" if write else "scope_read"):
        return queryset.none()
    condition = _in_subtree(model.scope_path, user.division.path)
    if getattr(model, "scope_include_unowned", False):  # rows that belong to no division
        condition |= Q(**{model.scope_path: ""})
    if getattr(model, "scope_include_ancestors", False) and not write:  # rows of the divisions above
        codes = user.division.path.strip("/").split("/")
        condition |= Q(**{f"{model.scope_path}__in": ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes))]})
    queryset = queryset.filter(condition)
    if hasattr(model, "scope_extra"):
        queryset = model.scope_extra(queryset, user, write)
    return queryset


class Under(Lookup):
    """`path` starts with the prefix `rhs` (a materialised path, "/410000000000/…/"): the subtree.

    PostgreSQL (and any other database): `LIKE 'prefix%'`, which its `varchar_pattern_ops` index on
    the path serves. SQLite cannot use an index for LIKE (it is case-insensitive there), so it scans
    all of the province's ~55,000 paths; it gets the same rows as a range, `path >= prefix AND
    path < prefix-with-its-last-character-raised`, which its (binary-collated) path index answers.
    The range is not used on PostgreSQL, where a non-C collation would order strings differently."""

    lookup_name = "under"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return compiler.compile(StartsWith(self.lhs, self.rhs))

    def as_sqlite(self, compiler, connection):
        prefix = self.rhs
        if not isinstance(prefix, str) or not prefix:
            return self.as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        bound = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # every string >= prefix and < bound starts with prefix
        return f"({lhs} >= %s AND {lhs} < %s)", (*params, prefix, *params, bound)


def _in_subtree(scope_path, path):
    """Rows whose division lies under `path`. Through a relation to a division ("village__path"),
    the divisions are chosen first (`village__in` the divisions under the path): a join filtered by
    the path cannot use an index for the rows, and SQLite then visits every row of the province
    before dropping those of other towns (3 s for a town's key persons at province scale); the
    subquery finds the divisions through the path index and the rows come through their own
    division index."""
    relation, _, field = scope_path.rpartition("__")
    if not relation or field != "path":
        return Q(Under(F(scope_path), path))
    divisions = apps.get_model("org", "Division")._base_manager  # by name: org sits above core
    return Q(**{f"{relation}__in": divisions.filter(Under(F("path"), path)).values("pk")})


def scope_key(user):
    """Everything of the user that scope_filter() and the role rules (org/roles.py) read: a query built
    for the user is the same for another user with the same key (core/compiled.py keeps it so)."""
    if not getattr(user, "is_authenticated", False):
        return None
    department = user.department if user.department_id else None
    return (user.pk, user.is_active, user.role, user.division_id, user.division.path if user.division_id else None,
            user.department_id, department and department.division_id, department and tuple(department.fields))


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return scope_filter(self, user)

    def writable_by(self, user):
        return scope_filter(self, user, write=True)


def can_read(model, user) -> bool:
    """Whether the role may read this kind of data at all (used for navigation and page guards)."""
    return _allowed(model, user, "scope_read")


def can_write(model, user) -> bool:
    return _allowed(model, user, "scope_write")


def get_visible_or_404(queryset_or_model, user, write=False, **lookup):
    queryset = getattr(queryset_or_model, "objects", queryset_or_model)
    queryset = queryset.all() if hasattr(queryset, "all") else queryset
    scoped = scope_filter(queryset, user, write=write)
    try:
        return scoped.get(**lookup)
    except (scoped.model.DoesNotExist, ValueError):
        not_found()


def not_found():
    """The answer to an object out of the user's scope, or that does not exist: the same 404."""
    raise Http404("页面不存在，或不在您的数据范围内。")


def require(allowed: bool):
    """Guard for a page the role cannot use at all: it answers 404 like an object out of scope."""
    if not allowed:
        raise Http404("页面不存在，或不在您的数据范围内。")
