"""Expiry warnings: on the administrator's front page and by e-mail at 60, 30,
14 and 7 days, each threshold once; only for certificates in use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.tasks import advar_om_udloeb
from tests.certificates.certgen import make_cert

pytestmark = pytest.mark.django_db


@pytest.fixture
def i_brug(kbh, charlie):
    charlie.email = "it@kbh.example"
    charlie.save()
    cert = services.certifikat_upload(
        myndighed=kbh,
        data=make_cert("Udløber snart", days=100).p12("x"),
        password="x",
        miljoe="test",
    )
    services.certifikat_aktiver(certifikat=cert)
    return cert


def test_warning_emails_at_60_30_14_and_7_days_each_once(i_brug):
    start = i_brug.gyldig_til
    sent_at = []
    for days_left in range(99, -1, -1):
        now = start - timedelta(days=days_left, hours=1)
        if services.advar_om_udloeb(now=now):
            sent_at.append(days_left)
        assert services.advar_om_udloeb(now=now) == 0  # a second run sends nothing
    assert sent_at == [59, 29, 13, 6]
    assert len(mail.outbox) == 4
    assert mail.outbox[0].to == ["it@kbh.example"]
    assert "Udløber snart" in mail.outbox[0].body


def test_beat_task_is_registered_and_sends_the_warning(kbh, charlie, settings):
    charlie.email = "it@kbh.example"
    charlie.save()
    cert = services.certifikat_upload(
        myndighed=kbh,
        data=make_cert("Om 20 dage", days=20).p12("x"),
        password="x",
        miljoe="test",
    )
    services.certifikat_aktiver(certifikat=cert)
    schedule = settings.CELERY_BEAT_SCHEDULE["certifikat-udloeb"]
    assert schedule["task"] == advar_om_udloeb.name
    advar_om_udloeb.delay()
    # make_cert: valid until 19 days from now, less the seconds the test has run.
    assert [m.subject for m in mail.outbox] == ["smdb-web: funktionscertifikat udløber om 18 dage"]
    cert.refresh_from_db()
    assert cert.advaret_dage == 30


def test_no_warning_for_a_certificate_not_in_use_or_far_from_expiry(kbh):
    services.certifikat_upload(
        myndighed=kbh,
        data=make_cert("Ikke i brug", days=10).p12("x"),
        password="x",
        miljoe="test",
    )
    far = services.certifikat_upload(
        myndighed=kbh,
        data=make_cert("Langt ude", days=300).p12("x"),
        password="x",
        miljoe="preprod",
    )
    services.certifikat_aktiver(certifikat=far)
    assert services.advar_om_udloeb() == 0


def test_front_page_warns_the_administrator(charlie_client, kbh):
    cert = services.certifikat_upload(
        myndighed=kbh,
        data=make_cert("Snart slut", days=20).p12("x"),
        password="x",
        miljoe="test",
    )
    assert "Snart slut" not in charlie_client.get(reverse("cases:home")).content.decode()
    services.certifikat_aktiver(certifikat=cert)
    page = charlie_client.get(reverse("cases:home")).content.decode()
    assert "udløber om" in page and "Snart slut" in page
    assert cert.gyldig_til - timezone.now() < timedelta(days=60)
