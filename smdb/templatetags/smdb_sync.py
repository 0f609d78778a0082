from django import template

from smdb import outbox

register = template.Library()


@register.simple_tag
def smdb_sync_operation(skema):
    """The schema's newest outbox operation (one query), for its sync state and errors."""
    if skema is None or not getattr(skema, "pk", None):
        return None
    return outbox.latest_operation(skema)
