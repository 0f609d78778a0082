"""The citizen last searched for, remembered for the next page (Registrér
anmodning fills in the CPR) — encrypted in the session, never in clear (issue 9).

Sessions are stored in the database, signed but readable; the CPR is kept
there only as a Fernet token under a key derived from SECRET_KEY, and for no
longer than the session itself (idle 30 min, at most 8 h).
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SESSION_KEY = "soegt_borger"


def _fernet() -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"smdb-web soegt cpr i session"
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def husk_cpr(session, cpr: str) -> None:
    session[SESSION_KEY] = _fernet().encrypt(cpr.encode()).decode()


def husket_cpr(session) -> str:
    token = session.get(SESSION_KEY)
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode(), ttl=settings.SESSION_ABSOLUTE_AGE).decode()
    except InvalidToken:
        return ""


def glem_cpr(session) -> None:
    session.pop(SESSION_KEY, None)
