"""factory-boy factories for forløb in every state.

``ForloebFactory(ivaersat=True)``, ``(tilknyttet=True)``, ``(afsluttet=True)``,
``(afsluttet_uden_ivaerksaettelse=True)``; values come from ``smdb.demo`` so
every factory-made forløb obeys the rules.
"""

from __future__ import annotations

from datetime import date, timedelta

import factory

from accounts.models import Myndighed, Rolle, User
from cases.models import (
    Afslutning,
    Anmodning,
    Ivaerksaettelse,
    Kontaktforloeb,
    Tilbud,
    Tilbudstilknytning,
)
from cases.schema_models import model_kwargs
from smdb import demo
from smdb.rules import today_dk
from smdb_simulator.catalogue import DEMO_TILBUD

PASSWORD = "Demo-kode-1234"


class MyndighedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Myndighed
        django_get_or_create = ("kommune_kode",)

    kommune_kode = factory.Sequence(lambda n: 200 + n)
    navn = factory.Sequence(lambda n: f"Kommune {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"bruger{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruger {n}")
    myndighed = factory.SubFactory(MyndighedFactory)
    rolle = Rolle.SAGSBEHANDLER
    password = factory.django.Password(PASSWORD)


class TilbudFactory(factory.django.DjangoModelFactory):
    """Offers of the simulator's demo catalogue, so that schemas made with them are
    accepted by the simulator (it checks 1-TILB against HentAlleTilbud)."""

    class Meta:
        model = Tilbud
        django_get_or_create = ("tilbud_id",)

    class Params:
        demo = factory.Iterator(DEMO_TILBUD)

    tilbud_id = factory.LazyAttribute(lambda o: o.demo["tilbud_id"])
    navn = factory.LazyAttribute(lambda o: o.demo["navn"])
    adresse = factory.LazyAttribute(lambda o: o.demo["adresse"])
    postnummer = factory.LazyAttribute(lambda o: o.demo["postnummer"])
    kommune = factory.LazyAttribute(lambda o: o.demo["kommune"])


def cpr_for_age(age: int, serial: int = 1) -> str:
    """A CPR number of someone turning ``age`` about 100 days ago."""
    born = today_dk() - timedelta(days=int(age * 365.25) + 100)
    if born.year >= 2000:
        seventh = "4"
    else:
        seventh = "1"
    return f"{born:%d%m%y}{seventh}{serial % 1000:03d}"


STADIER = ("anmodet", "ivaersat", "tilknyttet", "afsluttet", "afsluttet_uden_ivaerksaettelse")


class ForloebFactory(factory.django.DjangoModelFactory):
    """A kontaktforløb with its schemas up to ``stadie``; traits name the stages."""

    class Meta:
        model = Kontaktforloeb

    class Params:
        ivaersat = factory.Trait(stadie="ivaersat")
        tilknyttet = factory.Trait(stadie="tilknyttet")
        afsluttet = factory.Trait(stadie="afsluttet")
        afsluttet_uden_ivaerksaettelse = factory.Trait(stadie="afsluttet_uden_ivaerksaettelse")

    myndighed = factory.SubFactory(MyndighedFactory)
    person_identifikator = factory.Sequence(lambda n: cpr_for_age(30, n))
    stadie = "anmodet"
    anmodningsdato = factory.LazyFunction(lambda: today_dk() - timedelta(days=90))
    dage_til_ivaerksaettelse = 7

    @classmethod
    def _create(
        cls, model_class, *args, stadie, anmodningsdato, dage_til_ivaerksaettelse, **kwargs
    ):
        assert stadie in STADIER, stadie
        forloeb = super()._create(model_class, *args, **kwargs)
        add_schemas(forloeb, stadie, anmodningsdato, dage_til_ivaerksaettelse)
        return forloeb


def add_schemas(forloeb, stadie: str, anmodet: date, dage_til_ivaerksaettelse: int) -> None:
    Anmodning.objects.create(forloeb=forloeb, **model_kwargs(demo.anmodning_values(anmodet)))
    if stadie == "afsluttet_uden_ivaerksaettelse":
        afsluttet = anmodet + timedelta(days=10)
        Afslutning.objects.create(
            forloeb=forloeb, **model_kwargs(demo.afslutning_values(afsluttet, aarsag="02"))
        )
        return
    if stadie == "anmodet":
        return
    ivaerksat = anmodet + timedelta(days=dage_til_ivaerksaettelse)
    Ivaerksaettelse.objects.create(
        forloeb=forloeb,
        **model_kwargs(
            demo.ivaerksaettelse_values(forloeb.person_identifikator, anmodet, ivaerksat)
        ),
    )
    if stadie == "ivaersat":
        return
    slut = ivaerksat + timedelta(days=30) if stadie == "afsluttet" else None
    tilbud = TilbudFactory()
    Tilbudstilknytning.objects.create(
        forloeb=forloeb,
        **model_kwargs(demo.tilbudstilknytning_values(tilbud.tilbud_id, ivaerksat, slut)),
    )
    if stadie == "afsluttet":
        Afslutning.objects.create(forloeb=forloeb, **model_kwargs(demo.afslutning_values(slut)))


def anmodning_post(cpr: str, dato: date, **extra) -> dict:
    """The Registrér anmodning form's POST for ``cpr`` and 2-ANM ``dato``."""
    return {
        "person_identifikator": cpr,
        "behandling_anmodning_dato": dato.isoformat(),
        "behandling_tidligere_kode": "02",
        "person_eller_partner_gravid_kode": "99",
        "person_psykisk_funktionsnedsaettelse_kode": "02",
        **extra,
    }
