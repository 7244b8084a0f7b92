"""The progress of a background job, polled by static/js/job.js (core/background.py). A job is its
user's own: anybody else gets 404."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from .background import state
from .models import Job


def job_status(request, pk):
    job = get_object_or_404(Job, pk=pk, user=request.user)
    return JsonResponse(state(job), headers={"Cache-Control": "no-store"})
