"""Registrér anmodning: the first vertical of the foundation."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Handling
from cases.models import Anmodning, Kontaktforloeb
from smdb.rules import today_dk
from tests.factories import ForloebFactory, cpr_for_age

pytestmark = pytest.mark.django_db
URL = reverse("cases:anmodning_create")


def post_data(cpr: str, dato=None, **extra) -> dict:
    dato = dato or today_dk() - timedelta(days=2)
    return {
        "person_identifikator": cpr,
        "behandling_anmodning_dato": dato.isoformat(),
        "behandling_tidligere_kode": "02",
        "person_eller_partner_gravid_kode": "99",
        "person_psykisk_funktionsnedsaettelse_kode": "01",
        **extra,
    }


def test_it_registers_an_anmodning_in_the_users_myndighed(alice_client, alice):
    cpr = cpr_for_age(34)
    response = alice_client.post(URL, post_data(f"{cpr[:6]}-{cpr[6:]}"))
    forloeb = Kontaktforloeb.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:forloeb_detail", args=[forloeb.pk])
    assert forloeb.myndighed == alice.myndighed  # 8-ANM from the user's myndighed
    assert forloeb.person_identifikator == cpr
    anmodning = forloeb.anmodning
    assert anmodning.behandling_tidligere_kode == "02"
    assert anmodning.person_psykisk_funktionsnedsaettelse_kode == "01"
    assert anmodning.oprettet_af == alice
    assert AuditEntry.objects.filter(forloeb_id=forloeb.pk, handling=Handling.OPRETTET).exists()


def test_form_labels_carry_the_felt_id(alice_client):
    html = alice_client.get(URL).content.decode()
    html = re.sub(r"<[^>]+>", "", html)  # the Felt-ID is its own <span> (_felt.html)
    for label in ("6-ANM CPR-nummer", "2-ANM Anmodningsdato", "3-ANM", "9-ANM", "5-ANM", "8-ANM"):
        assert label in html


@pytest.mark.parametrize(
    "cpr",
    ["123", "3201901234", "0113901234", "abcdefghij"],
    ids=["too-short", "day-32", "month-13", "letters"],
)
def test_R_GEN_6_invalid_cpr_is_refused_next_to_the_field(alice_client, cpr):
    response = alice_client.post(URL, post_data(cpr))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["person_identifikator"]
    assert "R-GEN-6" in " ".join(form.errors["person_identifikator"])
    assert not Kontaktforloeb.objects.exists()


def test_R_GEN_1_future_anmodningsdato_is_refused(alice_client):
    response = alice_client.post(
        URL, post_data(cpr_for_age(40), dato=today_dk() + timedelta(days=1))
    )
    errors = " ".join(response.context["form"].errors["behandling_anmodning_dato"])
    assert "R-GEN-1" in errors
    assert not Anmodning.objects.exists()


def test_R_GEN_1_anmodningsdato_today_is_accepted(alice_client):
    response = alice_client.post(URL, post_data(cpr_for_age(40), dato=today_dk()))
    assert response.status_code == 302


def test_R_GEN_2_unanswered_question_is_refused(alice_client):
    response = alice_client.post(URL, post_data(cpr_for_age(40), behandling_tidligere_kode=""))
    assert response.context["form"].errors["behandling_tidligere_kode"]
    assert not Kontaktforloeb.objects.exists()


def test_R_ANM_1_second_open_anmodning_in_same_myndighed_is_refused(alice_client, kbh):
    existing = ForloebFactory(myndighed=kbh, ivaersat=True)
    response = alice_client.post(URL, post_data(existing.person_identifikator))
    assert response.status_code == 200
    assert "R-ANM-1" in str(response.context["form"].errors)
    assert Kontaktforloeb.objects.count() == 1


def test_R_ANM_1_new_anmodning_after_a_closed_forloeb_is_accepted(alice_client, kbh):
    old = ForloebFactory(myndighed=kbh, afsluttet=True, anmodningsdato=today_dk() - timedelta(200))
    response = alice_client.post(URL, post_data(old.person_identifikator))
    assert response.status_code == 302
    assert Kontaktforloeb.objects.filter(person_identifikator=old.person_identifikator).count() == 2


def test_R_ANM_1_open_forloeb_in_another_myndighed_does_not_block(alice_client, aarhus):
    other = ForloebFactory(myndighed=aarhus)
    response = alice_client.post(URL, post_data(other.person_identifikator))
    assert response.status_code == 302


def test_typed_values_are_kept_on_error(alice_client):
    response = alice_client.post(
        URL, post_data("3201901234", person_eller_partner_gravid_kode="01")
    )
    html = response.content.decode()
    assert 'value="3201901234"' in html
    assert response.context["form"]["person_eller_partner_gravid_kode"].value() == "01"


def test_administrator_cannot_register_cases(client, charlie):
    client.force_login(charlie)
    assert client.get(URL).status_code == 403
