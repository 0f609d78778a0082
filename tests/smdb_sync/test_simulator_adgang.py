"""Issue 21: the embedded simulator (development only) answers only this machine
and only when enabled; an XXE envelope gets a SOAP fault, not an error page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ECHO = (
    b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
    b'<Echo xmlns="http://smdb.dst.dk/api/external/v1/"><Tekst>hej</Tekst></Echo>'
    b"</s:Body></s:Envelope>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + ECHO.replace(
    b"hej", b"&x;"
)
ACTION = '"http://smdb.dst.dk/api/external/v1/ISecureTokenTest/Echo"'


@pytest.fixture
def url(settings):
    settings.SMDB_SIMULATOR_ENABLED = True
    return reverse("smdb_simulator:securetokentest")


def post(client, url, body, **extra):
    return client.post(url, body, content_type="text/xml", HTTP_SOAPACTION=ACTION, **extra)


def test_this_machine_gets_an_answer(client, url):
    response = post(client, url, ECHO)
    assert response.status_code == 200 and b"EchoResult" in response.content


@pytest.mark.parametrize("addr", ["10.0.0.5", "192.168.1.20", "2001:db8::1"])
def test_another_machine_gets_nothing(client, url, addr):
    assert post(client, url, ECHO, REMOTE_ADDR=addr).status_code == 404
    sts = reverse("smdb_simulator:sts")
    assert post(client, sts, ECHO, REMOTE_ADDR=addr).status_code == 404


def test_disabled_answers_nobody(client, url, settings):
    settings.SMDB_SIMULATOR_ENABLED = False
    assert post(client, url, ECHO).status_code == 404


def test_an_xxe_envelope_gets_a_soap_fault(client, url):
    client.raise_request_exception = False
    response = post(client, url, XXE)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/xml")
    assert b"Fault" in response.content and b"DTD" in response.content
    assert b"root:" not in response.content
