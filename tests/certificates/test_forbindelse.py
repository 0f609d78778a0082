""" "Test forbindelse" against a broken or hostile SMDB on 127.0.0.1 (issue 21):
a Danish answer, never a 500; SMDB's fault text with a CPR number is masked as
the message journal masks it; the page is held no longer than the deadline."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from certificates.models import AuthMetode, Besked, Miljoe
from tests.smdb.hostile_smdb import CPR, HostileSmdb

pytestmark = pytest.mark.django_db


@pytest.fixture
def smdb():
    with HostileSmdb() as server:
        yield server


def _test_with(charlie_client, kbh, mode, smdb):
    Miljoe.objects.create(
        myndighed=kbh, navn="test", endpoint=smdb.endpoint(mode), auth=AuthMetode.INGEN, aktiv=True
    )
    return charlie_client.post(reverse("certificates:test_forbindelse"))


def test_a_fault_naming_a_cpr_shows_it_masked(charlie_client, kbh, smdb):
    response = _test_with(charlie_client, kbh, "cpr-fault", smdb)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Forbindelsen virker ikke" in page and "findes ikke" in page
    assert CPR not in page and "010170-1234" not in page
    assert "******-****" in page
    assert all(CPR not in b.fejl for b in Besked.objects.all())


def test_a_reply_cut_off_mid_body_is_a_danish_error_not_a_500(charlie_client, kbh, smdb):
    response = _test_with(charlie_client, kbh, "cut", smdb)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Forbindelsen virker ikke" in page and "afbrudt undervejs" in page


def test_a_trickling_smdb_holds_the_page_no_longer_than_the_deadline(
    charlie_client, kbh, smdb, settings
):
    settings.SMDB_TIMEOUT = 1
    started = time.monotonic()
    response = _test_with(charlie_client, kbh, "trickle", smdb)
    assert response.status_code == 200
    assert "svarede ikke" in response.content.decode()
    # Echo times out; WhoAmI is not tried against an SMDB that did not answer.
    assert time.monotonic() - started < 2
