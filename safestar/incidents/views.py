from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safestar.audit.log import diff, record, snapshot
from safestar.core.scope import get_visible_or_404, require

from .models import Incident, IncidentKind
from .recognition import can_recognise, recognise, withdraw


@require_POST
def incident_recognise(request, pk):
    require(can_recognise(request.user))
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
    require(can_recognise(request.user))
    incident = get_visible_or_404(Incident.objects.alive(), request.user, pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if withdraw(incident, request.user, form.cleaned_data["reason"]):
            messages.success(request, f"已撤销认定：{incident}")
        else:
            messages.info(request, "该案事件未被认定或已被撤销。")
        return redirect("ledger-detail", ledger="incidents", pk=pk)
    return render(request, "incidents/withdraw.html", {"incident": incident, "form": form})


class KindForm(forms.ModelForm):
    class Meta:
        model = IncidentKind
        fields = ["code", "name", "zero_category", "active", "order"]


def kind_list(request):
    require(request.user.spec.manages_departments)
    return render(request, "incidents/kind_list.html", {"kinds": IncidentKind.objects.all()})


@require_http_methods(["GET", "POST"])
def kind_edit(request, pk=None):
    require(request.user.spec.manages_departments)
    kind = get_object_or_404(IncidentKind, pk=pk) if pk else None
    before = snapshot(kind, KIND_FIELDS) if kind else {}
    form = KindForm(request.POST or None, instance=kind)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            kind = form.save()
            record("update" if pk else "create", kind, changes=diff(before, snapshot(kind, KIND_FIELDS)))
        messages.success(request, f"已保存案事件类别“{kind.name}”。")
        return redirect("incident-kinds")
    return render(request, "incidents/kind_form.html", {"form": form, "kind": kind})


KIND_FIELDS = ["code", "name", "zero_category", "active", "order"]
