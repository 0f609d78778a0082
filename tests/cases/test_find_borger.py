import pytest
from django.urls import reverse

from audit.models import AuditEntry, Handling
from tests.factories import ForloebFactory

pytestmark = pytest.mark.django_db
URL = reverse("cases:find_borger")


def test_it_finds_the_citizens_forloeb_by_cpr_sent_by_post(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    cpr = forloeb.person_identifikator
    response = alice_client.post(URL, {"cpr": f"{cpr[:6]}-{cpr[6:]}"})
    assert response.status_code == 200
    assert list(response.context["results"]) == [forloeb]
    assert reverse("cases:forloeb_detail", args=[forloeb.pk]) in response.content.decode()
    assert AuditEntry.objects.filter(forloeb_id=forloeb.pk, handling=Handling.SOEGT).exists()


def test_it_does_not_find_another_myndigheds_forloeb(bob_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    response = bob_client.post(URL, {"cpr": forloeb.person_identifikator})
    assert response.context["results"] == []
    assert reverse("cases:forloeb_detail", args=[forloeb.pk]) not in response.content.decode()


def test_a_malformed_cpr_gets_a_danish_error(alice_client):
    response = alice_client.post(URL, {"cpr": "12ab"})
    assert "Et CPR-nummer består af 10 cifre." in response.content.decode()


def test_the_cpr_is_never_put_in_a_url(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    response = alice_client.post(URL, {"cpr": forloeb.person_identifikator}, follow=True)
    for url, _ in response.redirect_chain:
        assert forloeb.person_identifikator not in url
    # The search page links by forløb number only.
    assert f"?cpr={forloeb.person_identifikator}" not in response.content.decode()


def test_get_does_not_search(alice_client):
    assert alice_client.get(URL + "?cpr=0101901234").context["results"] is None
