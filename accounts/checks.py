from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security)
def two_factor_required_in_production(app_configs, **kwargs):
    """OTP_REQUIRED=false is for development only (issue 9)."""
    if not settings.DEBUG and not settings.OTP_REQUIRED:
        return [
            Error(
                "OTP_REQUIRED er slået fra, men DEBUG er også slået fra.",
                hint="To-faktor-login for administratorer og ledere må kun slås fra i udvikling.",
                id="accounts.E001",
            )
        ]
    return []
