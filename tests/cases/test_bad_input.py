"""Issue 15: bad input on the caseworker forms gets a Danish error at its field (or a
400), never a 500, and nothing SMDB's contract would refuse is saved."""

from datetime import date

import pytest
from django.urls import reverse

from cases import services
from cases.models import Kontaktforloeb
from tests.cases.test_anmodning import post_data
from tests.factories import ForloebFactory

pytestmark = pytest.mark.django_db

ANMODNING_URL = reverse("cases:anmodning_create")


@pytest.mark.parametrize("d", [date(1, 1, 1), date(885, 4, 29), date(2007, 12, 31)])
def test_an_anmodningsdato_no_smdb_period_covers_is_refused_at_its_field(alice_client, d):
    response = alice_client.post(ANMODNING_URL, post_data("0808811607", dato=d))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["behandling_anmodning_dato"])
    assert "R-GEN-3" in errors
    assert not Kontaktforloeb.objects.exists()


def test_an_anmodningsdato_before_the_citizens_birth_is_refused(alice_client):
    # born 1981-08-08
    response = alice_client.post(ANMODNING_URL, post_data("0808811607", dato=date(1981, 8, 7)))
    # 1981 is before SMDB too: R-GEN-3 speaks; a birth within SMDB's time: R-GEN-6.
    assert "R-GEN-3" in str(response.context["form"].errors)
    response = alice_client.post(ANMODNING_URL, post_data("0101104234", dato=date(2009, 12, 31)))
    errors = " ".join(response.context["form"].errors["behandling_anmodning_dato"])
    assert "R-GEN-6" in errors and "fødselsdato" in errors
    assert not Kontaktforloeb.objects.exists()


# --- NUL bytes and out-of-range integers ------------------------------------------------

HUGE = "9223372036854775808"  # one more than the largest bigint


def test_a_nul_byte_in_a_query_parameter_is_a_400(alice_client):
    response = alice_client.get(reverse("cases:tilbud_soeg") + "?q=a%00b")
    assert response.status_code == 400
    assert "ugyldigt tegn" in response.content.decode()


def test_a_nul_byte_in_a_posted_field_is_a_400_and_saves_nothing(alice_client):
    response = alice_client.post(ANMODNING_URL, post_data("0101901234\x00"))
    assert response.status_code == 400
    assert not Kontaktforloeb.objects.exists()


def test_a_nul_byte_in_a_draft_is_not_kept(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    kladde = services.kladde_save(
        user=alice,
        forloeb_pk=forloeb.pk,
        schema="ivaerksaettelse",
        data={"screeningsvaerktoej_anvendt_ivaerksaet_tekst": ["a\x00b"], "x\x00": ["1"]},
        trin="screening",
    )
    kladde.refresh_from_db()
    assert kladde.data == {"screeningsvaerktoej_anvendt_ivaerksaet_tekst": ["ab"], "x": ["1"]}


def test_a_version_out_of_range_in_a_draft_is_no_overflow(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    kladde = services.kladde_save(
        user=alice,
        forloeb_pk=forloeb.pk,
        schema="ivaerksaettelse",
        data={},
        skema_pk=forloeb.ivaerksaettelse.pk,
        version=int(HUGE),
    )
    kladde.refresh_from_db()
    assert kladde.version == 0


@pytest.mark.parametrize("handling", ["naeste", "kladde", "forrige"])
def test_a_huge_version_on_a_ret_wizard_step_is_no_500(alice_client, kbh, handling):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    url = reverse("cases:ivaerksaettelse_rediger_trin", args=[forloeb.pk, "screening"])
    response = alice_client.post(url, {"version": HUGE, "_handling": handling})
    assert response.status_code in (200, 302)


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "9" * 5000])
def test_a_huge_day_count_gets_a_field_error(alice_client, kbh, value):
    forloeb = ForloebFactory(myndighed=kbh)
    url = reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "stofbrug"])
    field = "cannabis_dage_indtaget_seneste_maaned_kvantitet"
    response = alice_client.post(
        url,
        {
            "person_taget_ikke_ordinerede_stoffer_seneste_maaned_indikator": "true",
            field: value,
            "_handling": "naeste",
        },
    )
    assert response.status_code == 200
    assert response.context["side"].form.errors[field]


@pytest.mark.parametrize("value", [HUGE, "-1", "9" * 5000])
def test_a_huge_tilbud_id_gets_a_field_error(alice_client, kbh, value):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    url = reverse("cases:tilknytning_create", args=[forloeb.pk])
    response = alice_client.post(url, {"tilbud_id": value, "_handling": "gem"})
    assert response.status_code == 200
    assert response.context["side"].form.errors["tilbud_id"]
    response = alice_client.get(reverse("cases:tilbud_soeg") + f"?tilbud_id={value}&q=x")
    assert response.status_code == 200


def test_huge_ids_in_urls_are_404(alice_client):
    assert alice_client.get(reverse("cases:forloeb_detail", args=[int(HUGE)])).status_code == 404
