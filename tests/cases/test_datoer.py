"""Dates a caseworker mistypes (issue 23, "Dates"): a date the rules refuse is only
refused (no "Er datoen rigtig?" on top), and no day count is ever negative."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from cases.models import Kontaktforloeb
from smdb.rules import today_dk
from tests.factories import ForloebFactory, anmodning_post, cpr_for_age

pytestmark = pytest.mark.django_db
URL = reverse("cases:anmodning_create")


def test_R_GEN_3_a_date_before_2008_is_refused_without_asking_to_press_again(alice_client, kbh):
    data = anmodning_post(cpr_for_age(40, 3), date(1971, 5, 3))
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
    response = alice_client.post(URL, anmodning_post(cpr, today_dk() - timedelta(days=365 * 8)))
    html = response.content.decode()
    assert "R-GEN-6" in " ".join(response.context["form"].errors["behandling_anmodning_dato"])
    assert "Er datoen rigtig?" not in html


def test_a_date_the_rules_accept_over_a_year_back_is_still_asked_about(alice_client, kbh):
    html = alice_client.post(
        URL, anmodning_post(cpr_for_age(40, 3), today_dk() - timedelta(days=400))
    ).content.decode()
    assert "Er datoen rigtig?" in html
    assert "R-GEN-3" not in html


# --- No negative day count (beregning_hindret) -------------------------------------


def test_R_IVAER_3_case_page_says_anmodet_senere_for_an_ivaerksaettelse_before_it(
    alice_client, kbh
):

    # As SMDB history may hold it; the forms refuse it (R-IVAER-3).
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=-10)
    html = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    assert "anmodet senere" in html
    assert "-10 dag" not in html and "-10<" not in html
    assert "Kan ikke vurderes" in html


def test_R_GEN_3_the_wizard_shows_no_negative_count_for_a_date_before_2008(kbh):
    from cases.validation import rules_forloeb
    from cases.wizards import IVAERKSAETTELSE_TRIN, Side, trin_for_variable
    from smdb.rules import variabler as v

    forloeb = ForloebFactory(myndighed=kbh)
    step = trin_for_variable(v.DAGE_SIDEN_ANMODNING)
    assert step in IVAERKSAETTELSE_TRIN
    side = Side.bind(step, {"ivaerksat_behandling_dato": "1990-01-01"}, rules_forloeb(forloeb))
    felt = next(
        f for b in side.blokke for f in b.felter if f.field.variable == v.DAGE_SIDEN_ANMODNING
    )
    assert felt.beregnet < 0  # the rules still see it (R-IVAER-3 refuses it)
    assert felt.beregnet_tekst == "kan ikke beregnes: datoen er afvist"


def test_R_IVAER_3_the_wizard_says_anmodet_senere_for_an_ivaerksaettelse_before_it(kbh):
    from cases.validation import rules_forloeb
    from cases.wizards import Side, trin_for_variable
    from smdb.rules import variabler as v

    forloeb = ForloebFactory(myndighed=kbh)
    tidligere = forloeb.anmodning.behandling_anmodning_dato - timedelta(days=3)
    side = Side.bind(
        trin_for_variable(v.DAGE_SIDEN_ANMODNING),
        {"ivaerksat_behandling_dato": tidligere.isoformat()},
        rules_forloeb(forloeb),
    )
    felt = next(
        f for b in side.blokke for f in b.felter if f.field.variable == v.DAGE_SIDEN_ANMODNING
    )
    assert felt.beregnet_tekst == "anmodet senere"


def test_R_IVAER_3_a_stored_negative_count_is_not_shown_as_a_number():
    from cases.templatetags.smdb_tags import display_value
    from smdb.fields import ALL_FIELDS
    from smdb.rules import variabler as v

    assert display_value(ALL_FIELDS[v.DAGE_SIDEN_ANMODNING], -13462) == "anmodet senere"
    assert display_value(ALL_FIELDS[v.DAGE_SIDEN_ANMODNING], 12) == "12 dage"


# --- Required fields are marked the same on every form (the shared _felt.html) -------


def _felt_html(html: str, input_id: str) -> str:
    """The markup of one question: from its wrapper to its input."""
    start = html.index(f'id="felt-{input_id.removeprefix("id_")}"')
    return html[start : html.index(f'id="{input_id}"', start) + 200]


def test_registrer_anmodning_marks_each_required_field_with_a_star(alice_client, kbh):
    html = alice_client.get(URL).content.decode()
    assert "Spørgsmål markeret med" in html  # the legend that explains "*"
    for input_id in (
        "id_person_identifikator",  # 6-ANM, the CPR number
        "id_behandling_anmodning_dato",  # 2-ANM
        "id_behandling_tidligere_kode",  # 3-ANM
        "id_person_eller_partner_gravid_kode",  # 9-ANM
        "id_person_psykisk_funktionsnedsaettelse_kode",  # 5-ANM
    ):
        felt = _felt_html(html, input_id)
        assert 'class="paakraevet"' in felt, input_id
        assert "skal udfyldes" in felt, input_id
        assert 'aria-required="true"' in felt, input_id


def test_ret_anmodning_marks_required_fields_the_same_way(alice_client, kbh):

    forloeb = ForloebFactory(myndighed=kbh)
    html = alice_client.get(reverse("cases:anmodning_rediger", args=[forloeb.pk])).content.decode()
    felt = _felt_html(html, "id_behandling_anmodning_dato")
    assert 'class="paakraevet"' in felt and "skal udfyldes" in felt


# --- A wizard step shown again carries no old error ----------------------------------


def test_a_wizard_step_sent_again_after_a_good_answer_shows_no_old_error(alice_client, kbh):

    forloeb = ForloebFactory(myndighed=kbh)
    url = reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "laegesamtale"])
    first = alice_client.post(url, {"_handling": "naeste"}).content.decode()
    assert 'id="id_ivaerksat_behandling_dato_fejl"' in first
    dato = forloeb.anmodning.behandling_anmodning_dato + timedelta(days=3)
    second = alice_client.post(
        url, {"_handling": "naeste", "ivaerksat_behandling_dato": dato.isoformat()}
    ).content.decode()
    assert 'id="id_ivaerksat_behandling_dato_fejl"' not in second
    assert 'href="#id_ivaerksat_behandling_dato"' not in second  # nor in the summary
    assert 'id="id_oensker_borger_tilbud_laegesamtale_kode_fejl"' in second  # still empty
    # The draft shown again (GET) names no error either.
    again = alice_client.get(url).content.decode()
    assert "_fejl" not in again


def test_the_live_update_after_a_good_answer_carries_no_old_error(alice_client, kbh):

    forloeb = ForloebFactory(myndighed=kbh)
    url = reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "laegesamtale"])
    alice_client.post(url, {"_handling": "naeste"})
    dato = forloeb.anmodning.behandling_anmodning_dato + timedelta(days=3)
    update = alice_client.post(
        url,
        {"_opdater": "1", "_synlige": "", "ivaerksat_behandling_dato": dato.isoformat()},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "3 dage" in update  # 32-IVÆR, swapped in
    assert "_fejl" not in update and "is-invalid" not in update


def test_an_unreadable_confirmation_is_no_silent_refusal(alice_client, kbh):
    data = anmodning_post(cpr_for_age(40, 5), today_dk() - timedelta(days=400), dato_bekraeftet="x")
    html = alice_client.post(URL, data).content.decode()
    assert "Er datoen rigtig?" in html  # asked again, not refused without a word
