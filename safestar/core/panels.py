"""Panels on a village's page: each app may add one (三零 status, later the scorecard...) without
the village page knowing the apps. A panel is a function (request, village) returning a
(template name, context) pair, or None when it has nothing to show this user."""

PANELS = []


def village_panel(function):
    PANELS.append(function)
    return function


def render_panels(request, village):
    from django.template.loader import render_to_string

    html = []
    for panel in PANELS:
        result = panel(request, village)
        if result is not None:
            template, context = result
            html.append(render_to_string(template, context, request=request))
    return html
