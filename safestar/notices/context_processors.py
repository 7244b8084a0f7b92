from django.utils.functional import SimpleLazyObject


def unread(request):
    """The bell's count of unread notices: one query, only when a page draws the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .services import unread_count

    return {"notice_unread": SimpleLazyObject(lambda: unread_count(user))}
