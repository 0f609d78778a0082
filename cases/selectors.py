"""Reads of citizens' cases. Every query starts from ``forloeb_for_user`` so it is
scoped to the user's myndighed in this one place."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet, Subquery
from django.http import Http404

from cases.models import Kladde, Kontaktforloeb, Skema, Tilbud
from cases.validation import rules_forloeb
from smdb import rules
from smdb.rules.systemskifte import er_systemskifte_afslutning

SCHEMA_RELATIONS = ("myndighed", "anmodning", "ivaerksaettelse", "afslutning")


def forloeb_for_user(user) -> QuerySet[Kontaktforloeb]:
    """Forløb the user may see: those of their own myndighed, if their role works with cases."""
    myndighed_id = user.myndighed_id if getattr(user, "kan_se_sager", False) else None
    return Kontaktforloeb.objects.for_myndighed(myndighed_id)


def with_schemas(qs: QuerySet[Kontaktforloeb]) -> QuerySet[Kontaktforloeb]:
    """Load every schema of each forløb in a fixed number of queries (2)."""
    # Tilbudstilknytninger come in the model's registration order (R-DEL-1).
    return qs.select_related(*SCHEMA_RELATIONS).prefetch_related("tilbudstilknytninger")


def _borgerens(qs: QuerySet[Kontaktforloeb], cpr) -> QuerySet[Kontaktforloeb]:
    """The citizen's forløb in ``qs``, with every schema, newest first."""
    return with_schemas(qs.filter(person_identifikator=cpr)).order_by(
        "-anmodning__behandling_anmodning_dato", "-pk"
    )


def forloeb_for_cpr(*, user, cpr: str) -> list[Kontaktforloeb]:
    """The citizen's forløb in the user's myndighed, newest first."""
    return list(_borgerens(forloeb_for_user(user), cpr))


def myndighedens_forloeb_for_cpr(*, myndighed_id: int, cpr: str) -> list[Kontaktforloeb]:
    """The citizen's forløb in a myndighed, whoever asks: R-ANM-1 needs them when a
    new anmodning is registered, independent of the registering user's role."""
    return list(_borgerens(Kontaktforloeb.objects.for_myndighed(myndighed_id), cpr))


def _systemskift_lukket(f: Kontaktforloeb):
    """The date a model-2 system change closed ``f`` on, or None (R-SKIFT-4)."""
    afsl = getattr(f, "afslutning", None)
    if afsl is None or not er_systemskifte_afslutning(
        {
            "BehandlingAfsluttetAarsagKode": afsl.behandling_afsluttet_aarsag_kode,
            "BehandlingAfsluttetAarsagTekst": afsl.behandling_afsluttet_aarsag_tekst,
        }
    ):
        return None
    return afsl.behandling_afsluttet_dato


def _anmodet(f: Kontaktforloeb):
    anm = getattr(f, "anmodning", None)
    return anm.behandling_anmodning_dato if anm else None


def systemskifte_par(
    forloeb: Kontaktforloeb, andre: list[Kontaktforloeb]
) -> tuple[Kontaktforloeb | None, Kontaktforloeb | None]:
    """R-SKIFT-4: the forløb this one continues (closed by a system change the day
    before its anmodning) and the one continuing it, among the citizen's others (as
    ``borgerens_forloeb`` gives them, no query)."""
    anmodet = _anmodet(forloeb)
    forrige = next(
        (
            f
            for f in andre
            if anmodet and (d := _systemskift_lukket(f)) and d + timedelta(days=1) == anmodet
        ),
        None,
    )
    lukket = _systemskift_lukket(forloeb)
    naeste = next(
        (f for f in andre if lukket and _anmodet(f) == lukket + timedelta(days=1)),
        None,
    )
    return forrige, naeste


def seneste_forloeb(*, user, limit: int = 20) -> list[Kontaktforloeb]:
    """The myndighed's most recently created forløb, for the front page."""
    return list(with_schemas(forloeb_for_user(user)).order_by("-oprettet", "-pk")[:limit])


def borgerens_forloeb(
    *, user, pk: int, for_update: bool = False
) -> tuple[Kontaktforloeb, list[Kontaktforloeb]]:
    """The forløb ``pk`` and the citizen's other forløb in the user's myndighed (newest
    first), with every schema, in 2 queries; 404 outside the user's myndighed.

    With ``for_update`` (inside a transaction) the citizen's forløb rows are locked
    first, so that two writes to one citizen's cases take turns and each validates
    what the other saved (R-ANM-1, R-TILB-8 ...).
    """
    scoped = forloeb_for_user(user)
    cpr = scoped.filter(pk=pk).values("person_identifikator")[:1]
    qs = _borgerens(scoped, Subquery(cpr))
    if for_update:
        qs = qs.select_for_update(of=("self",))
    rows = list(qs)
    forloeb = next((f for f in rows if f.pk == pk), None)
    if forloeb is None:
        raise Http404("Forløbet findes ikke i din myndighed.")
    return forloeb, [f for f in rows if f.pk != pk]


def slette_raekkefoelge(forloeb: Kontaktforloeb) -> list[tuple[str, int | None, Skema]]:
    """(schema key, tilknytning index, row) of every schema, in the order Slet bagfra
    takes them (R-DEL-1): each next one as the rule engine names it. The first is
    the one that may be deleted now. No queries (the schemas are loaded)."""
    rf = rules_forloeb(forloeb)
    tilknytninger = list(forloeb.tilbudstilknytninger.all())
    out = []
    while (naeste := rules.deletable_schema(rf)) is not None:
        key, index = naeste
        row = tilknytninger.pop(index) if index is not None else getattr(forloeb, key)
        out.append((key, index, row))
        rf = rf.with_schema(key, None, index)
    return out


def kladde_for_user(*, user, forloeb_pk: int, schema: str, skema_pk: int = 0) -> Kladde | None:
    """The user's own draft of a schema in one of their myndighed's forløb (1 query)."""
    return (
        Kladde.objects.filter(
            forloeb__in=forloeb_for_user(user),
            forloeb_id=forloeb_pk,
            bruger=user,
            schema=schema,
            skema_pk=skema_pk,
        )
        .select_related("forloeb")
        .first()
    )


def kladde_til_kassering(*, user, forloeb_pk: int, kladde_pk: int) -> Kladde:
    """The user's own draft on one of their myndighed's forløb (1 query); 404 otherwise."""
    kladde = (
        Kladde.objects.filter(
            pk=kladde_pk,
            forloeb_id=forloeb_pk,
            forloeb__in=forloeb_for_user(user),
            bruger=user,
        )
        .select_related("forloeb", "forloeb__anmodning", "forloeb__ivaerksaettelse")
        .first()
    )
    if kladde is None:
        raise Http404("Kladden findes ikke.")
    return kladde


def kladder_for_forloeb(forloeb: Kontaktforloeb) -> list[Kladde]:
    """The drafts on a forløb, every user's, newest first (1 query)."""
    return list(forloeb.kladder.select_related("bruger").order_by("-aendret", "-pk"))


def tilbud_soeg(*, q: str = "", valgt: int | None = None, kommune: str = "", limit: int = 15):
    """Tilbud from DST's catalogue matching ``q`` by name, postnummer or kommune; with
    no search, those in ``kommune``. The chosen tilbud ``valgt`` comes first."""
    q = q.strip()
    if q:
        qs = Tilbud.objects.filter(
            Q(navn__icontains=q) | Q(postnummer__startswith=q) | Q(kommune__icontains=q)
        )
    elif kommune:
        qs = Tilbud.objects.filter(kommune__iexact=kommune)
    else:
        qs = Tilbud.objects.none()
    found = list(qs.order_by("navn", "tilbud_id")[:limit])
    if valgt is not None and all(t.tilbud_id != valgt for t in found):
        chosen = Tilbud.objects.filter(tilbud_id=valgt).first()
        if chosen is not None:
            found.insert(0, chosen)
    return found
