"""Reference data the system administrator keeps (案事件类别, 重点人员类别): one list page and one
edit page for all of it, each save through the one audited save (core/saving.py)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render


from .saving import save_form
from .scope import require


def _require_admin(user):
    require(user.spec.manages_departments)


def reference_list(request, model, *, columns, add_url, edit_url, note=""):
    """columns: [(label, function of a row → text)]."""
    _require_admin(request.user)
    rows = [(obj, [value(obj) for _, value in columns]) for obj in model.objects.all()]
    return render(request, "core/reference_list.html", {
        "title": model._meta.verbose_name, "headers": [label for label, _ in columns], "rows": rows,
        "add_url": add_url, "edit_url": edit_url, "note": note,
    })


def reference_edit(request, form_class, pk, *, back):
    _require_admin(request.user)
    model = form_class._meta.model
    obj = get_object_or_404(model, pk=pk) if pk else None
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        obj = save_form(form, request.user, list(form_class._meta.fields))
        messages.success(request, f"已保存{model._meta.verbose_name}“{obj}”。")
        return redirect(back)
    return render(request, "core/reference_form.html", {"form": form, "obj": obj, "title": model._meta.verbose_name, "back": back})
