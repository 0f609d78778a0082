"""Issue 15: bad input on the caseworker forms gets a Danish error at its field (or a
400), never a 500, and nothing SMDB's contract would refuse is saved."""

from datetime import date

import pytest
from django.urls import reverse

from cases import services
from cases.models import Afslutning, Ivaerksaettelse, Kontaktforloeb
from cases.wizards import IVAERKSAETTELSE_TRIN, values_to_data
from smdb.fields import AFSLUTNING
from tests.cases.test_anmodning import post_data
from tests.cases.test_forms_skemaer import hidden_fields, ivaer_post, tilb_post
from tests.factories import ForloebFactory, TilbudFactory

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


# --- No silent refusals -------------------------------------------------------------------


def _ivaer_til_opsummering(client, forloeb, **extra):
    """Every step filled in and left with 'Gem kladde' (the draft), as a caseworker
    who typed something the form cannot read and closed the page."""
    data = {**ivaer_post(forloeb.anmodning.behandling_anmodning_dato, 7), **extra}
    for trin in IVAERKSAETTELSE_TRIN:
        client.post(
            reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, trin.slug]),
            {**data, "_handling": "kladde"},
        )
    return client.get(reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "opsummering"]))


FEM = {
    "person_taget_ikke_ordinerede_stoffer_seneste_maaned_indikator": "true",
    "cannabis_dage_indtaget_seneste_maaned_kvantitet": "fem",
}


def test_the_summary_names_a_steps_field_error_with_a_link_to_the_step(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    summary = _ivaer_til_opsummering(alice_client, forloeb, **FEM)
    step = reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "stofbrug"])
    fejl = summary.context["fejl"]
    mine = [
        (v, href) for v, href in fejl if v.variable == "CannabisDageIndtagetSenesteMaanedKvantitet"
    ]
    assert len(mine) == 1
    v, href = mine[0]
    assert v.felt_id == "18-IVÆR" and "helt tal" in v.message
    assert href == step + "?fejl=1#id_cannabis_dage_indtaget_seneste_maaned_kvantitet"
    assert "Cannabis" in summary.content.decode()
    # Iværksæt then refuses with the same message, and saves nothing.
    confirm = alice_client.post(
        reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "opsummering"]),
        hidden_fields(summary.content.decode()),
    )
    assert confirm.status_code == 200
    assert any(
        v.variable == "CannabisDageIndtagetSenesteMaanedKvantitet"
        for v, _ in confirm.context["fejl"]
    )
    assert not Ivaerksaettelse.objects.exists()
    # The step the link leads to shows the error at the field.
    page = alice_client.get(step + "?fejl=1")
    assert page.context["side"].form.errors["cannabis_dage_indtaget_seneste_maaned_kvantitet"]


def test_an_answer_to_a_hidden_question_is_dropped_not_an_error(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    data = ivaer_post(forloeb.anmodning.behandling_anmodning_dato, 7)
    # 18-IVÆR's counts are hidden while 17-IVÆR is Nej: "fem" there is no answer at all.
    data["cannabis_dage_indtaget_seneste_maaned_kvantitet"] = "fem"
    for trin in IVAERKSAETTELSE_TRIN:
        response = alice_client.post(
            reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, trin.slug]),
            {**data, "_handling": "naeste"},
        )
        assert response.status_code == 302, response.context["side"].fejl()
    summary = alice_client.get(
        reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "opsummering"])
    )
    assert summary.context["fejl"] == []
    hidden = hidden_fields(summary.content.decode())
    hidden["cannabis_dage_indtaget_seneste_maaned_kvantitet"] = ["fem"]  # crafted
    confirm = alice_client.post(
        reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "opsummering"]), hidden
    )
    assert confirm.status_code == 302
    assert Ivaerksaettelse.objects.get().cannabis_dage_indtaget_seneste_maaned_kvantitet is None


def test_a_hidden_question_on_a_single_page_form_is_dropped_not_an_error(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    tilbud = TilbudFactory()
    # 9-TILB (autorisations-ID) is hidden for stoffri behandling (04): 6 characters
    # there would break its max length, but it is no answer at all.
    response = alice_client.post(
        reverse("cases:tilknytning_create", args=[forloeb.pk]),
        tilb_post(forloeb, tilbud, autorisation_kode_tekst="ABCDEFG"),
    )
    assert response.status_code == 302
    assert forloeb.tilbudstilknytninger.get().autorisation_kode_tekst == ""


@pytest.mark.parametrize("version", ["abc", "0", HUGE, ""])
def test_a_bad_version_on_a_ret_page_gets_the_conflict_page(alice_client, kbh, version):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    url = reverse("cases:afslutning_rediger", args=[forloeb.pk])
    data = {
        **values_to_data(AFSLUTNING, forloeb.afslutning.smdb_values()),
        "version": version,
        "_handling": "gem",
    }
    response = alice_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Skemaet er ændret af en anden" in html
    assert 'name="version" value="1"' in html
    assert Afslutning.objects.get().version == 1
    # Saving again from the conflict page overwrites, as the page says.
    again = alice_client.post(url, {**data, "version": "1"})
    assert again.status_code == 302


@pytest.mark.parametrize("version", ["abc", HUGE])
def test_a_bad_version_on_the_ret_summary_gets_the_conflict_page(alice_client, kbh, version):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    url = reverse("cases:ivaerksaettelse_rediger_trin", args=[forloeb.pk, "opsummering"])
    summary = alice_client.get(url)
    hidden = hidden_fields(summary.content.decode())
    hidden["version"] = [version]
    response = alice_client.post(url, hidden)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Skemaet er ændret af en anden" in html
    assert 'name="version" value="1"' in html
    assert alice_client.post(url, hidden_fields(html)).status_code == 302


def test_a_nul_byte_in_find_borger_is_a_400(alice_client):
    response = alice_client.post(reverse("cases:find_borger"), {"cpr": "0101901234\x00"})
    assert response.status_code == 400
