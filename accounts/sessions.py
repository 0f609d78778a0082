"""Session limits (issue 9): 30 minutes idle, 8 hours at most, ended when the
browser closes; pages for a signed-in user are never stored by a browser or proxy.

Idle: the session's expiry is SESSION_COOKIE_AGE from its last save, and
``SessionLimitsMiddleware`` saves it again when a request comes more than
SESSION_REFRESH_SECONDS after the last save (not on every request: a write per
request would cost every page a query). Absolute: the login time is kept in the
session, and the user is logged out once SESSION_ABSOLUTE_AGE has passed.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LOGIN_TIME = "_login_tid"
LAST_SAVED = "_sidst_fornyet"


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_TIME] = request.session[LAST_SAVED] = time.time()


@receiver(user_logged_in)
def show_notices(sender, request, user, **kwargs) -> None:
    """Notices the system left for the user (accounts.Besked), shown once."""
    if request is None or not hasattr(request, "_messages"):
        return
    from accounts.models import Besked

    notices = list(Besked.objects.filter(bruger=user, vist__isnull=True))
    for notice in notices:
        messages.info(request, notice.tekst)
    Besked.objects.filter(pk__in=[n.pk for n in notices]).update(vist=timezone.now())


def session_too_old(session) -> bool:
    started = session.get(LOGIN_TIME)
    if started is None:
        return False
    return time.time() - float(started) > settings.SESSION_ABSOLUTE_AGE


class SessionLimitsMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session, now = request.session, time.time()
            if LOGIN_TIME not in session:
                session[LOGIN_TIME] = now
            elif session_too_old(session):
                logout(request)
                messages.info(request, "Du er logget ud, fordi du har været logget ind i 8 timer.")
                return redirect(settings.LOGIN_URL)
            if now - float(session.get(LAST_SAVED, 0)) > settings.SESSION_REFRESH_SECONDS:
                session[LAST_SAVED] = now  # modified: saved with a new expiry (sliding)
        response = self.get_response(request)
        if request.user.is_authenticated:
            # Pages show CPR numbers and case data: never kept in a browser or
            # proxy cache, nor shown again from the back button after logout.
            add_never_cache_headers(response)
        return response
