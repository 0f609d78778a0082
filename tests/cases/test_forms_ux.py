"""Issue 11: what stood in a new caseworker's way on the form pages (view level;
layout, focus and typing are in tests/browser)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Afslutning
from smdb.rules import today_dk
from tests.factories import ForloebFactory

pytestmark = pytest.mark.django_db


def afsl_post(**extra) -> dict:
    return {
        "behandling_afsluttet_dato": today_dk().isoformat(),
        "behandling_afsluttet_status_kode": "01",
        "behandling_afsluttet_aarsag_kode": "01",
        "_handling": "gem",
        **extra,
    }


def test_R_AFSL_5_afslut_behandling_names_the_open_tilknytninger_before_the_form(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    t = forloeb.tilbudstilknytninger.get()
    html = alice_client.get(reverse("cases:afslutning_create", args=[forloeb.pk])).content.decode()
    notice = html.index("uden slutdato")
    assert notice < html.index('<form method="post" novalidate')
    afslut = reverse("cases:tilknytning_afslut", args=[forloeb.pk, t.pk])
    assert f'href="{afslut}"' in html


def test_R_AFSL_5_refused_afslutning_names_no_field_off_the_page(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    response = alice_client.post(reverse("cases:afslutning_create", args=[forloeb.pk]), afsl_post())
    assert response.status_code == 200
    assert not Afslutning.objects.exists()
    fejl = [besked for _, besked in response.context["side"].fejl()]
    assert any("R-AFSL-5" in f for f in fejl), fejl
    assert not any("4-TILB" in f for f in fejl), fejl


# --- Find borger and R-ANM-1 -------------------------------------------------------


def test_R_GEN_6_find_borger_refuses_an_impossible_cpr(alice_client):
    response = alice_client.post(reverse("cases:find_borger"), {"cpr": "320190-1234"})
    assert response.context["results"] is None
    assert "ikke en gyldig fødselsdato" in response.content.decode()


def test_R_ANM_1_find_borger_links_to_the_active_forloeb_instead_of_a_new_anmodning(
    alice_client, kbh
):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    html = alice_client.post(
        reverse("cases:find_borger"), {"cpr": forloeb.person_identifikator}
    ).content.decode()
    assert f"Gå til kontaktforløb {forloeb.pk}" in html
    assert "Registrér anmodning for borgeren" not in html


def test_find_borger_offers_a_new_anmodning_when_every_forloeb_is_closed(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    html = alice_client.post(
        reverse("cases:find_borger"), {"cpr": forloeb.person_identifikator}
    ).content.decode()
    assert "Registrér anmodning for borgeren" in html
    assert "Gå til kontaktforløb" not in html


def test_R_ANM_1_error_on_a_new_anmodning_links_to_the_active_forloeb(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    response = alice_client.post(
        reverse("cases:anmodning_create"),
        {
            "person_identifikator": forloeb.person_identifikator,
            "behandling_anmodning_dato": today_dk().isoformat(),
            "behandling_tidligere_kode": "02",
            "person_eller_partner_gravid_kode": "99",
            "person_psykisk_funktionsnedsaettelse_kode": "02",
        },
    )
    html = response.content.decode()
    assert "R-ANM-1" in html
    detail = reverse("cases:forloeb_detail", args=[forloeb.pk])
    assert f'href="{detail}"' in html
