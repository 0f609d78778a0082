"""Issue 15: bad input on the caseworker forms gets a Danish error at its field (or a
400), never a 500, and nothing SMDB's contract would refuse is saved."""

from datetime import date

import pytest
from django.urls import reverse

from cases.models import Kontaktforloeb
from tests.cases.test_anmodning import post_data

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
