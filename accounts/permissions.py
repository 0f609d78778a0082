"""Who may do what: the role checks every app's views use. Each predicate is a
property of accounts.models.User (kan_se_sager, er_administrator, ...)."""

from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(predicate: str):
    """Deny (403) unless ``request.user.<predicate>`` is true, e.g. ``kan_se_sager``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not getattr(request.user, predicate, False):
                raise PermissionDenied("Din rolle giver ikke adgang til denne side.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


sager_required = role_required("kan_se_sager")
administrator_required = role_required("er_administrator")
rapporter_required = role_required("kan_se_rapporter")
# Lists that name citizens by full CPR: ledere only (User.kan_hente_borgerlister).
borgerlister_required = role_required("kan_hente_borgerlister")
