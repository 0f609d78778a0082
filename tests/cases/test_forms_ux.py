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
