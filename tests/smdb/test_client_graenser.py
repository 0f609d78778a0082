"""A hostile or broken SMDB endpoint cannot tie up a process (issue 21): a whole
call has a deadline (SMDB_TIMEOUT), a reply is read streamed up to
SMDB_MAX_SVAR_BYTES, a reply cut off is a transient error, redirects are never
followed. Against a real HTTP server on 127.0.0.1 (tests.smdb.hostile_smdb)."""

from __future__ import annotations

import time

import pytest

from smdb.client import SmdbKlient, SmdbProtocolError, SmdbTransportError
from tests.smdb.hostile_smdb import HostileSmdb


@pytest.fixture
def smdb():
    with HostileSmdb() as server:
        yield server


@pytest.fixture(autouse=True)
def _no_journal(monkeypatch):
    # The message journal writes to the database; these calls need none.
    from certificates import journal

    monkeypatch.setattr(journal, "record", lambda **kwargs: None)


def test_a_well_behaved_reply_still_gets_through(smdb):
    assert SmdbKlient(endpoint=smdb.endpoint("ok")).echo("x") == "hej"


def test_a_trickling_reply_is_cut_off_at_the_deadline_of_the_whole_call(smdb, settings):
    # One byte every 0.3 s never trips a per-read timeout of 1 s; the deadline must.
    settings.SMDB_TIMEOUT = 1
    started = time.monotonic()
    with pytest.raises(SmdbTransportError, match="inden for 1 sekunder"):
        SmdbKlient(endpoint=smdb.endpoint("trickle")).echo("x")
    assert time.monotonic() - started < 2.5
    assert smdb.sent < HostileSmdb.TRICKLE_BYTES


def test_a_huge_reply_is_refused_before_it_is_read_whole(smdb, settings):
    settings.SMDB_MAX_SVAR_BYTES = 1_000_000
    with pytest.raises(SmdbProtocolError, match="større end 1 MB"):
        SmdbKlient(endpoint=smdb.endpoint("huge")).echo("x")
    # The server may have filled the socket buffers, not sent 20 MB.
    assert smdb.sent < 10_000_000


def test_a_declared_huge_reply_is_refused_unread(smdb, settings):
    settings.SMDB_MAX_SVAR_BYTES = 1_000_000
    with pytest.raises(SmdbProtocolError, match="større end 1 MB"):
        SmdbKlient(endpoint=smdb.endpoint("huge-declared")).echo("x")


def test_a_reply_cut_off_mid_body_is_a_transient_error(smdb):
    with pytest.raises(SmdbTransportError, match="afbrudt undervejs"):
        SmdbKlient(endpoint=smdb.endpoint("cut")).echo("x")


def test_a_redirect_is_not_followed(smdb):
    with pytest.raises(SmdbProtocolError, match="omdirigeringer følges ikke"):
        SmdbKlient(endpoint=smdb.endpoint("redirect")).echo("x")
    assert [hit.split("/")[1] for hit in smdb.hits] == ["redirect"]
