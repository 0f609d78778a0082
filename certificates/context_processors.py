"""The active SMDB environment for the page header (templates/base.html)."""

from django.utils.functional import SimpleLazyObject

from certificates.selectors import aktivt_miljoe_i_sidehoved


def smdb_miljoe(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "smdb_miljoe": SimpleLazyObject(
            lambda: aktivt_miljoe_i_sidehoved(myndighed_id=user.myndighed_id)
        )
    }
