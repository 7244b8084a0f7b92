from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from safestar import clock
from safestar.core.lists import paginate, render_list, search
from safestar.core.reference import reference_edit, reference_list
from safestar.core.scope import get_visible_or_404, require

from .models import Incident, IncidentKind
from .services import pending_recognition, recognise, withdraw


@require_POST
def incident_recognise(request, pk):
    require(Incident.flow.may(request.user, "recognise"))
    incident = get_visible_or_404(Incident.objects.alive(), request.user, pk=pk)
    if recognise(incident, request.user):
        messages.success(request, f"已认定：{incident}。该案事件将计入一票否决和“三零”评定。")
    else:
        messages.info(request, "该案事件已被认定，无需重复操作。")
    return redirect("ledger-detail", ledger="incidents", pk=pk)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤销认定原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


@require_http_methods(["GET", "POST"])
def incident_withdraw(request, pk):
    require(Incident.flow.may(request.user, "withdraw"))
    incident = get_visible_or_404(Incident.objects.alive(), request.user, pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if withdraw(incident, request.user, form.cleaned_data["reason"]):
            messages.success(request, f"已撤销认定：{incident}")
        else:
            messages.info(request, "该案事件未被认定或已被撤销。")
        return redirect("ledger-detail", ledger="incidents", pk=pk)
    return render(request, "incidents/withdraw.html", {"incident": incident, "form": form, "step": Incident.flow["withdraw"]})


class KindForm(forms.ModelForm):
    class Meta:
        model = IncidentKind
        fields = ["code", "name", "zero_category", "active", "order"]


def kind_list(request):
    return reference_list(
        request, IncidentKind, add_url="incident-kind-add", edit_url="incident-kind-edit",
        columns=[("代码", lambda k: k.code), ("名称", lambda k: k.name), ("影响“三零”", lambda k: k.get_zero_category_display() or "—"),
                 ("状态", lambda k: "启用" if k.active else "停用")],
        note="创建方案的否决项和“零事件”指标按“代码”引用类别。停用的类别不能再用于新录入的案事件，已有记录不受影响。",
    )


@require_http_methods(["GET", "POST"])
def kind_edit(request, pk=None):
    return reference_edit(request, KindForm, pk, back="incident-kinds")


def recognition_queue(request):
    """待认定案事件: the incidents in the user's scope waiting for recognition, the longest waiting
    first, with how long each has waited; for those who recognise (the county evaluator, the county
    departments of the field)."""
    require(Incident.flow.may(request.user, "recognise"))
    incidents, q = search(pending_recognition(request.user).select_related("division", "kind"), request, ["title", "division__name"])
    page = paginate(request, incidents.order_by("created_at", "id"))  # 1 count, 1 page (with village and kind)
    today = clock.today()
    rows = [(x, (today - timezone.localtime(x.created_at).date()).days) for x in page]
    return render_list(request, "incidents/queue.html", {"page": page, "rows": rows, "q": q})
