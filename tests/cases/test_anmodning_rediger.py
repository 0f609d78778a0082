"""Ret anmodning (issue 10, R-IVAER-4): a new anmodningsdato that puts more than 14
days before the iværksættelse makes 4-IVÆR required; the page asks for the reason and
saves it with the edit, or refuses with the rule's message and loses nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from cases.models import Anmodning, Ivaerksaettelse
from cases.wizards import values_to_data
from smdb.fields import ANMODNING, IVAERKSAETTELSE
from smdb.models import SyncOperation
from tests.factories import ForloebFactory

pytestmark = pytest.mark.django_db

GARANTI = IVAERKSAETTELSE.by_variable()["BehandlingGarantiOverskredeAarsagKode"]


def url(forloeb) -> str:
    return reverse("cases:anmodning_rediger", args=[forloeb.pk])


def post_data(anm, ny, **extra) -> dict:
    """The Ret anmodning page as the browser posts it, with the date moved to ``ny``."""
    data = {
        k: v[0] if len(v) == 1 else v
        for k, v in values_to_data(ANMODNING, anm.smdb_values()).items()
    }
    return {
        **data,
        "behandling_anmodning_dato": ny.isoformat(),
        "version": str(anm.version),
        "_handling": "gem",
        **extra,
    }


@pytest.fixture
def forloeb(kbh):
    # Iværksat 10 days after the anmodning; the lægesamtale 7 days after (smdb.demo).
    return ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=10)


def test_the_page_does_not_ask_for_4_ivaer_while_the_gap_stays_within_14_days(
    alice_client, forloeb
):
    response = alice_client.get(url(forloeb))
    assert response.status_code == 200
    assert response.context["ekstra"] is None
    assert GARANTI.label not in response.content.decode()
    anm = forloeb.anmodning
    response = alice_client.post(
        url(forloeb), post_data(anm, anm.behandling_anmodning_dato - timedelta(days=4))
    )
    assert response.status_code == 302  # 14 days: saved, nothing asked
    assert Ivaerksaettelse.objects.get().ivaerksat_behandling_dage_siden_anmodning_kvantitet == 14


def test_R_IVAER_4_without_the_reason_the_edit_is_refused_and_the_question_shown(
    alice_client, forloeb
):
    anm = forloeb.anmodning
    gammel = anm.behandling_anmodning_dato
    ops = SyncOperation.objects.count()

    response = alice_client.post(url(forloeb), post_data(anm, gammel - timedelta(days=5)))

    assert response.status_code == 200
    html = response.content.decode()
    # The question, its label and codes from smdb.fields, with the explanation.
    assert f"{GARANTI.felt_id}</span> {GARANTI.label}" in html
    for kode, tekst in GARANTI.codes:
        assert f'value="{kode}"' in html and tekst in html
    assert "går der 15 dage fra anmodning til iværksættelse" in html
    # Refused with the rule's message, naming the question, next to it and on top.
    fejl = dict(response.context["fejl"])
    (besked,) = [b for b in fejl.values() if "R-IVAER-4" in b]
    assert besked.startswith("4-IVÆR") and "mere end 14 dage" in besked
    ekstra = response.context["ekstra"]
    assert ekstra.form.errors[GARANTI.name]
    # What was typed is kept on the page; nothing saved or queued.
    assert f'value="{(gammel - timedelta(days=5)).isoformat()}"' in html
    anm.refresh_from_db()
    assert (anm.behandling_anmodning_dato, anm.version) == (gammel, 1)
    assert Ivaerksaettelse.objects.get().version == 1
    assert SyncOperation.objects.count() == ops


def test_R_IVAER_4_with_the_reason_the_edit_is_saved_with_it(alice_client, forloeb):
    anm = forloeb.anmodning
    ny = anm.behandling_anmodning_dato - timedelta(days=5)

    response = alice_client.post(url(forloeb), post_data(anm, ny, **{GARANTI.name: "09"}))

    assert response.status_code == 302, response.context and response.context["fejl"]
    anm = Anmodning.objects.get()
    ivaer = Ivaerksaettelse.objects.get()
    assert anm.behandling_anmodning_dato == ny
    assert ivaer.behandling_garanti_overskrede_aarsag_kode == "09"
    assert ivaer.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 15


def test_R_IVAER_4_live_update_asks_for_the_reason_when_the_date_crosses_14_days(
    alice_client, forloeb
):
    anm = forloeb.anmodning

    def live(flyt: int, ekstra: str):
        data = post_data(anm, anm.behandling_anmodning_dato + timedelta(days=flyt))
        data |= {"_opdater": "1", "_ekstra": ekstra}
        return alice_client.post(url(forloeb), data, headers={"HX-Request": "true"})

    html = live(-5, "").content.decode()
    assert 'id="ekstra-svar" hx-swap-oob="true"' in html
    assert GARANTI.label in html and "Nyt spørgsmål om iværksættelsen" in html
    # Already shown: not swapped again (the answer being chosen stays in place).
    assert 'id="ekstra-svar"' not in live(-5, GARANTI.name).content.decode()
    # Back within 14 days: the question goes.
    html = live(-2, GARANTI.name).content.decode()
    assert 'id="ekstra-svar" hx-swap-oob="true"' in html and GARANTI.label not in html
    assert Anmodning.objects.get().version == 1  # nothing saved
