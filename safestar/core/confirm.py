"""Confirmation before a consequential action, one mechanism for every page.

A step of a transition table that declares `confirm` (core/transitions.py: 认定, 提交自评,
县级评查完成, 认定并锁定, 报送县级评查 …) and every delete is asked about before it is done:

- in the page, the form carries `data-confirm="the text"` (`{% confirm_attrs step %}` or written
  out); static/js/confirm.js opens a <dialog> with the text and, on 确定, posts the form with
  `confirmed=1`;
- on the server, the view asks `confirm_first(request, text, ...)` before acting: without
  `confirmed=1` (no script, an old page, a batch form of another app) it answers with a page that
  states what will happen, lists what it applies to, and re-posts the same fields with
  `confirmed=1`. So nothing consequential happens on one click, with or without JavaScript.
"""

from django.shortcuts import render

CONFIRMED = "confirmed"


def confirmed(request):
    return request.POST.get(CONFIRMED) == "1"


def confirm_first(request, text, *, title, subject="", items=(), cancel="/"):
    """None when the user confirmed (or `text` is empty: nothing to ask); otherwise the page that
    asks: `title` (the act, its button), `text` (what will happen), `subject` and `items` (what it
    applies to: one object, or the list of a batch), `cancel` (where 取消 leads)."""
    if not text or confirmed(request):
        return None
    fields = [(name, value) for name, values in request.POST.lists() if name not in ("csrfmiddlewaretoken", CONFIRMED)
              for value in values]
    return render(request, "core/confirm.html", {"title": title, "text": text, "subject": subject, "items": list(items),
                                                 "fields": fields, "action": request.get_full_path(), "cancel": cancel})


def confirm_step(request, step, subject, *, items=(), cancel="/"):
    """confirm_first for a step of a transition table: asks when the step declares `confirm`."""
    return confirm_first(request, step.confirm, title=step.label, subject=str(subject), items=items, cancel=cancel)
