"""No negative day count on the leder's pages (issue 23, ``beregning_hindret``)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from tests.reporting.conftest import lav

pytestmark = pytest.mark.django_db


@pytest.fixture
def leder_client(client, leder):
    client.force_login(leder)
    return client


def test_R_IVAER_3_overblik_before_the_anmodning_says_anmodet_senere(leder_client, kbh):
    lav(kbh, date(2026, 5, 5))
    body = leder_client.get(reverse("reporting:overblik"), {"dato": "2026-05-01"}).content.decode()
    assert "anmodet senere" in body
    assert not re.search(r">\s*-\d+\s*<", body)


def test_R_GEN_3_kontrolliste_shows_no_negative_days_for_a_refused_anmodningsdato(
    leder_client, kbh
):
    # Stored as SMDB history may hold it; the form refuses it (R-GEN-3).
    lav(kbh, date(2005, 3, 1))
    url = reverse("reporting:kontrolliste", kwargs={"liste": "ikke-ivaerksat"})
    body = leder_client.get(url, {"dato": "2026-06-10"}).content.decode()
    assert "-14 dage" not in body
    assert "kan ikke beregnes: datoen er afvist" in body  # not "7771 dage over garantien"
    assert not re.search(r"-\d+ dage", body)
