"""FIELD_ENCRYPTION_KEY: required in production, a development key in the demo (issue 23)."""

from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


def _noegler() -> list[str]:
    return [k.strip() for k in settings.FIELD_ENCRYPTION_KEY.split(",") if k.strip()]


@register(Tags.security)
def feltkryptering(app_configs, **kwargs):
    noegler = _noegler()
    if not noegler:
        if settings.DEBUG:
            return [
                Warning(
                    "FIELD_ENCRYPTION_KEY er ikke sat: private nøgler krypteres med en "
                    f"udviklingsnøgle i {settings.FIELD_ENCRYPTION_DEV_KEY_FILE}.",
                    hint="Kun til udvikling. I drift skal FIELD_ENCRYPTION_KEY sættes.",
                    id="certificates.W001",
                )
            ]
        return [
            Error(
                "FIELD_ENCRYPTION_KEY er ikke sat, og DEBUG er slået fra.",
                hint="Private nøgler gemmes krypteret med den. Lav en med: python -c "
                "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'",
                id="certificates.E001",
            )
        ]
    fejl = []
    for noegle in noegler:
        try:
            Fernet(noegle)
        except ValueError:
            fejl.append(
                Error(
                    "FIELD_ENCRYPTION_KEY skal være en eller flere Fernet-nøgler (32 byte, "
                    "url-safe base64), adskilt af komma.",
                    id="certificates.E002",
                )
            )
            break
    dev = Path(settings.FIELD_ENCRYPTION_DEV_KEY_FILE)
    if not settings.DEBUG and dev.is_file() and dev.read_text().strip() in noegler:
        fejl.append(
            Error(
                "FIELD_ENCRYPTION_KEY er udviklingsnøglen fra var/.",
                hint="Lav en ny nøgle til drift; udviklingsnøglen ligger ukrypteret på disken.",
                id="certificates.E003",
            )
        )
    return fejl
