"""Issue 21: a report's reference date at the ends of the calendar gives a Danish
message and the default date, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reporting import selectors

pytestmark = pytest.mark.django_db

DATOER = ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01"]


def report_urls() -> list[str]:
    return [
        reverse("reporting:forside"),
        reverse("reporting:overblik"),
        *[reverse("reporting:uge", kwargs={"noegle": n}) for n in selectors.UGENS_NAVNE],
        *[reverse("reporting:kontrolliste", kwargs={"liste": s}) for s in selectors.KONTROLLISTER],
        reverse("reporting:hovedtal"),
        reverse("reporting:godkendelse"),
    ]


@pytest.mark.parametrize("dato", DATOER)
def test_a_date_at_the_ends_of_the_calendar_is_no_500(client, leder, dato):
    client.force_login(leder)
    for url in report_urls():
        for param in ("dato", "fra", "til"):
            response = client.get(url, {param: dato})
            assert response.status_code == 200, (url, param, dato)
