"""Certifikater og miljøer as a new administrator reads it (issue 23): what is active,
what "Tag i brug" did, a confirmation before switching, what an "anonym" WhoAmI means,
and the message journal in Danish."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certificates import forbindelse, services
from certificates.models import AuthMetode, Besked, Miljoe, Udfald
from certificates.selectors import AktivtMiljoe, standard_miljoe

PASSWORD = "kode"


def upload(myndighed, cert):
    return services.certifikat_upload(
        myndighed=myndighed, data=cert.p12(PASSWORD), password=PASSWORD, miljoe="test"
    )


@pytest.mark.django_db
def test_no_environment_in_use_is_not_called_active(charlie_client):
    page = charlie_client.get(reverse("certificates:oversigt")).content.decode()
    assert "Aktivt miljø:" not in page
    assert "Intet miljø er taget i brug endnu." in page
    assert "Ikke sat op" in page


@pytest.mark.django_db
def test_tag_i_brug_says_the_environment_is_not_active_yet(charlie_client, kbh, test_cert):
    cert = upload(kbh, test_cert)
    response = charlie_client.post(
        reverse("certificates:handling", args=[cert.pk, "aktiver"]), follow=True
    )
    page = response.content.decode()
    assert "Certifikatet er taget i brug i sit miljø." in page
    assert "Test (lokal simulator) er ikke det aktive SMDB-miljø endnu" in page
    oversigt = charlie_client.get(reverse("certificates:oversigt")).content.decode()
    assert "Sat op, ikke aktivt" in oversigt
    # The switch is an ordinary link to a confirmation, not a red button on the row.
    assert "btn-outline-danger" not in oversigt
    assert reverse("certificates:miljoe_aktiver", args=["test"]) in oversigt


@pytest.mark.django_db
def test_switching_environment_asks_first(charlie_client, kbh):
    services.miljoe_gem(
        myndighed=kbh, navn="preprod", endpoint="https://smdbpreprodws.dst.dk/x/", auth="none"
    )
    url = reverse("certificates:miljoe_aktiver", args=["preprod"])
    page = charlie_client.get(url).content.decode()
    assert "Skift SMDB-miljø til PreProd?" in page
    assert "Ja, skift til PreProd" in page and "Annullér" in page
    assert not Miljoe.objects.filter(aktiv=True).exists()  # asking changed nothing
    charlie_client.post(url)
    assert Miljoe.objects.get(aktiv=True).navn == "preprod"


def test_unsigned_anonymous_whoami_is_not_flagged():
    resultat = forbindelse.TestResultat(
        miljoe=standard_miljoe(), ok=True, linjer=[("WhoAmI", "SMDB-simulator: anonym (x)")]
    )
    assert not resultat.signatur_ikke_kontrolleret


@pytest.mark.django_db
def test_test_forbindelse_page_says_the_simulator_checks_no_signature(charlie_client, monkeypatch):
    miljoe = AktivtMiljoe(navn="test", label="Test", endpoint="http://x/", auth=AuthMetode.SIGNATUR)
    resultat = forbindelse.TestResultat(
        miljoe=miljoe, ok=True, linjer=[("WhoAmI", "SMDB-simulator: anonym (ingen godkendelse)")]
    )
    monkeypatch.setattr(forbindelse, "forbindelsestest", lambda **kwargs: resultat)
    page = charlie_client.post(reverse("certificates:test_forbindelse")).content.decode()
    assert "kontrollerer ikke signaturer" in page


@pytest.mark.django_db
def test_journal_names_the_job_and_environment_in_danish(charlie_client, kbh):
    Besked.objects.create(
        myndighed=kbh, handling="IndsaetAnmodning", varighed_ms=3, udfald=Udfald.OK, job="outbox"
    )
    page = charlie_client.get(reverse("certificates:journal")).content.decode()
    assert "Afsendelse til SMDB" in page and "Intet valgt (indstillingernes endpoint)" in page
    assert ">outbox<" not in page and ">standard<" not in page
    detalje = charlie_client.get(
        reverse("certificates:journal_detalje", args=[Besked.objects.get().pk])
    ).content.decode()
    assert "outbox" not in detalje and "standard" not in detalje
