"""Dates a caseworker mistypes (issue 23, "Dates"): a date the rules refuse is only
refused (no "Er datoen rigtig?" on top), and no day count is ever negative."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from cases.models import Kontaktforloeb
from smdb.rules import today_dk
from tests.factories import cpr_for_age

pytestmark = pytest.mark.django_db
URL = reverse("cases:anmodning_create")


def anm_post(cpr: str, dato: date, **extra) -> dict:
    return {
        "person_identifikator": cpr,
        "behandling_anmodning_dato": dato.isoformat(),
        "behandling_tidligere_kode": "02",
        "person_eller_partner_gravid_kode": "99",
        "person_psykisk_funktionsnedsaettelse_kode": "02",
        **extra,
    }


def test_R_GEN_3_a_date_before_2008_is_refused_without_asking_to_press_again(alice_client, kbh):
    data = anm_post(cpr_for_age(40, 3), date(1971, 5, 3))
    response = alice_client.post(URL, data)
    html = response.content.decode()
    assert "R-GEN-3" in " ".join(response.context["form"].errors["behandling_anmodning_dato"])
    assert "Er datoen rigtig?" not in html
    assert "tryk »Registrér anmodning« igen" not in html
    assert response.context["gammel_dato"] is None
    # Nothing claims the refused date as confirmed: pressing again refuses it again, alone.
    assert 'name="dato_bekraeftet" value="1971-05-03"' not in html
    again = alice_client.post(URL, {**data, "dato_bekraeftet": "1971-05-03"})
    assert "R-GEN-3" in again.content.decode()
    assert "Er datoen rigtig?" not in again.content.decode()
    assert not Kontaktforloeb.objects.exists()


def test_R_GEN_6_a_date_before_the_citizens_birth_is_refused_without_asking(alice_client, kbh):
    cpr = cpr_for_age(5, 3)  # born about five years ago
    response = alice_client.post(URL, anm_post(cpr, today_dk() - timedelta(days=365 * 8)))
    html = response.content.decode()
    assert "R-GEN-6" in " ".join(response.context["form"].errors["behandling_anmodning_dato"])
    assert "Er datoen rigtig?" not in html


def test_a_date_the_rules_accept_over_a_year_back_is_still_asked_about(alice_client, kbh):
    html = alice_client.post(
        URL, anm_post(cpr_for_age(40, 3), today_dk() - timedelta(days=400))
    ).content.decode()
    assert "Er datoen rigtig?" in html
    assert "R-GEN-3" not in html
