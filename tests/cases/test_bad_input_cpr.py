"""Issue 15: a CPR number typed with any dash or digit variant is the same citizen.

Every variant is stored as its 10 ASCII digits, finds the citizen's forløb in Find
borger, and cannot open a second active forløb for the citizen (R-ANM-1)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases import services
from cases.models import Kontaktforloeb
from smdb.rules import today_dk
from tests.cases.test_anmodning import post_data
from tests.factories import ForloebFactory

pytestmark = pytest.mark.django_db

CPR = "0808811607"
VARIANTS = [
    "080881\u20141607",  # em dash
    "080881\u22121607",  # minus sign
    "080881\u20131607",  # en dash
    "080881\u20101607",  # hyphen
    "０８０８８１－１６０７",  # fullwidth digits and hyphen-minus
    "𝟎𝟖𝟎𝟖𝟖𝟏𝟏𝟔𝟎𝟕",  # mathematical bold digits
    "٠٨٠٨٨١١٦٠٧",  # Arabic-Indic digits
]


@pytest.mark.parametrize("typed", VARIANTS)
def test_a_cpr_variant_is_stored_as_10_ascii_digits(alice_client, typed):
    response = alice_client.post(reverse("cases:anmodning_create"), post_data(typed))
    assert response.status_code == 302
    assert Kontaktforloeb.objects.get().person_identifikator == CPR


@pytest.mark.parametrize("typed", VARIANTS)
def test_R_ANM_1_a_cpr_variant_cannot_open_a_second_forloeb(alice_client, kbh, typed):
    ForloebFactory(myndighed=kbh, person_identifikator=CPR, ivaersat=True)
    response = alice_client.post(reverse("cases:anmodning_create"), post_data(typed))
    assert response.status_code == 200
    assert "R-ANM-1" in str(response.context["form"].errors)
    assert Kontaktforloeb.objects.count() == 1


@pytest.mark.parametrize("typed", VARIANTS)
def test_find_borger_finds_the_forloeb_by_a_cpr_variant(alice_client, kbh, typed):
    forloeb = ForloebFactory(myndighed=kbh, person_identifikator=CPR)
    response = alice_client.post(reverse("cases:find_borger"), {"cpr": typed})
    assert list(response.context["results"]) == [forloeb]


@pytest.mark.parametrize("typed", VARIANTS)
def test_R_ANM_1_the_service_normalises_too(alice, kbh, typed):
    ForloebFactory(myndighed=kbh, person_identifikator=CPR)
    data = {
        "BehandlingAnmodningDato": today_dk() - timedelta(days=1),
        "BehandlingTidligereKode": "02",
        "PersonEllerPartnerGravidKode": "99",
        "PersonPsykiskFunktionsnedsaettelseKode": "01",
    }
    with pytest.raises(services.RuleViolations) as exc:
        services.anmodning_create(user=alice, cpr=typed, data=data)
    assert [v.rule for v in exc.value.violations] == ["R-ANM-1"]


# A NUL byte never reaches a form: it is a 400 (tests/cases/test_bad_input.py).
@pytest.mark.parametrize("typed", ["080881_1607", "0808811607²", "08088116O7", "080881 16 07 1"])
def test_R_GEN_6_anything_else_is_refused_next_to_the_field(alice_client, typed):
    response = alice_client.post(reverse("cases:anmodning_create"), post_data(typed))
    assert response.status_code == 200
    assert response.context["form"].errors["person_identifikator"]
    assert not Kontaktforloeb.objects.exists()


@pytest.mark.parametrize("typed", ["080881_1607", "0808811607²", "٠٨٠٨٨١١٦٠"])
def test_find_borger_refuses_anything_else_with_a_danish_error(alice_client, typed):
    response = alice_client.post(reverse("cases:find_borger"), {"cpr": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["cpr"]
