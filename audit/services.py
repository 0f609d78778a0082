import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.log_filters import mask_cpr
from audit.models import AuditEntry, Handling
from smdb.rules.cpr import normaliser_cpr_hvis_muligt

# The models an operator's change can be about, by their label (as the foreign
# keys name them): the log records them without importing their apps (issue 27).
MYNDIGHED_MODEL = "accounts.Myndighed"
FORLOEB_MODEL = "cases.Kontaktforloeb"


def _model(obj) -> str | None:
    meta = getattr(obj, "_meta", None)
    return meta.label if meta is not None else None


def cpr_noegle(cpr: str) -> str:
    """A keyed hash (HMAC-SHA256 under settings.AUDIT_CPR_KEY) of a CPR number:
    the access log finds a citizen's rows by it without holding the number."""
    cifre = normaliser_cpr_hvis_muligt(cpr)  # the one normaliser (issue 15)
    return hmac.new(settings.AUDIT_CPR_KEY.encode(), cifre.encode(), hashlib.sha256).hexdigest()


def audit_record(
    *,
    user,
    handling: Handling,
    forloeb=None,
    beskrivelse: str = "",
    cpr: str | None = None,
    sti: str = "",
    beroert_bruger=None,
) -> AuditEntry:
    """Record one access to or change of a citizen's case (or a refused try).

    Call it inside the same transaction as the change it records. ``cpr`` (or the
    forløb's) is kept only as its keyed hash; ``sti`` is stored CPR-masked.
    """
    if cpr is None and forloeb is not None:
        cpr = getattr(forloeb, "person_identifikator", None)
    return AuditEntry.objects.create(
        bruger=user,
        myndighed_id=user.myndighed_id,
        forloeb_id=getattr(forloeb, "pk", None),
        handling=handling,
        beskrivelse=mask_cpr(beskrivelse)[:200],
        cpr_noegle=cpr_noegle(cpr) if cpr else "",
        sti=mask_cpr(sti)[:300],
        beroert_bruger=beroert_bruger,
    )


def audit_record_many(
    *, user, handling: Handling, borgere: Iterable[tuple[int | None, str | None]], beskrivelse=""
) -> int:
    """One access-log row per citizen, in one query: a download or a report run that
    names many citizens is logged for each of them. ``borgere`` holds (forløb id, CPR)
    pairs; the CPR is kept as its keyed hash, so "who viewed this citizen" finds the
    download that named it (issue 21). ``(None, None)`` is a row about no citizen."""
    rows = [
        AuditEntry(
            bruger=user,
            myndighed_id=user.myndighed_id,
            forloeb_id=pk,
            handling=handling,
            beskrivelse=mask_cpr(beskrivelse)[:200],
            cpr_noegle=cpr_noegle(cpr) if cpr else "",
        )
        for pk, cpr in borgere
    ]
    AuditEntry.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _felter(besked) -> str:
    """The fields of a Django admin change message ([{"changed": {"fields": [...]}}])."""
    if isinstance(besked, str):
        return besked
    felter = [f for del_ in besked or [] for v in del_.values() for f in v.get("fields", [])]
    return ", ".join(str(f) for f in felter)


def audit_drift(*, user, obj, handling: Handling, besked="", sti: str = "") -> AuditEntry:
    """One add, change or deletion the operator made in the Django admin (issue 21).

    The row goes into the access log of the myndighed the object belongs to (a user,
    a myndighed, a user's two-factor device, a forløb ...), so its administrator sees
    what the operator did; a deleted object is never referred to by a foreign key
    (that would block its deletion), only named in the description."""
    User = get_user_model()
    slettes = handling == Handling.DRIFT_SLETTET
    ejer = getattr(obj, "user", None)
    forloeb = obj if _model(obj) == FORLOEB_MODEL else getattr(obj, "forloeb", None)
    if _model(forloeb) != FORLOEB_MODEL:
        forloeb = None
    if _model(obj) == MYNDIGHED_MODEL:
        myndighed_id = None if slettes else obj.pk
    else:
        # A schema (anmodning, tilknytning ...) belongs to its forløb's myndighed.
        myndighed_id = next(
            (m for holder in (obj, ejer, forloeb) if (m := getattr(holder, "myndighed_id", None))),
            None,
        )
    if isinstance(obj, User):
        beroert = None if slettes else obj
    else:
        beroert = ejer if isinstance(ejer, User) else None
    cpr = getattr(obj, "person_identifikator", None) or getattr(
        forloeb, "person_identifikator", None
    )
    hvad = {
        Handling.DRIFT_OPRETTET: "oprettet",
        Handling.DRIFT_AENDRET: "ændret",
        Handling.DRIFT_SLETTET: "slettet",
    }[handling]
    felter = _felter(besked) if handling == Handling.DRIFT_AENDRET else ""
    beskrivelse = f"{obj._meta.verbose_name} «{obj}» {hvad}" + (f": {felter}" if felter else "")
    return AuditEntry.objects.create(
        bruger=user,
        myndighed_id=myndighed_id,
        forloeb_id=getattr(forloeb, "pk", None),  # a number, not a key: it may go
        handling=handling,
        beskrivelse=mask_cpr(beskrivelse)[:200],
        cpr_noegle=cpr_noegle(cpr) if cpr else "",
        sti=mask_cpr(sti)[:300],
        beroert_bruger=beroert,
    )
