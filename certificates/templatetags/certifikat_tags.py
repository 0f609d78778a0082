from django import template

from certificates.selectors import udloeber_snart

register = template.Library()


@register.inclusion_tag("certificates/_advarsler.html", takes_context=True)
def certifikat_advarsler(context):
    user = context["request"].user
    return {"advarsler": udloeber_snart(myndighed_id=user.myndighed_id)}
