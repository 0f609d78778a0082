"""R-DEL-1: deleting bagfra, the newest schema first; R-DEL-2: edits are validated
with the rest of the forløb."""

from __future__ import annotations

import pytest

from smdb.rules import DeletionRefused, check_deletion, deletable_schema, validate_forloeb
from tests.smdb.factories import IVAER_DATO, TODAY, dage, forloeb, tilknytning


def test_R_DEL_1_accepts_deleting_in_order_afslutning_tilknytninger_ivaerksaettelse_anmodning():
    f = forloeb(
        afsluttet=True,
        tilb=[
            tilknytning(TilbudTilknyttetBehandlingSlutDato=IVAER_DATO + dage(5)),
            tilknytning(TilbudTilknyttetBehandlingSlutDato=IVAER_DATO + dage(9)),
        ],
        afsl={"BehandlingAfsluttetDato": IVAER_DATO + dage(9)},
    )
    order = []
    while (naeste := deletable_schema(f)) is not None:
        check_deletion(f, *naeste)
        order.append(naeste)
        f = f.with_schema(naeste[0], None, naeste[1])
    assert order == [
        ("afslutning", None),
        ("tilbudstilknytning", 1),
        ("tilbudstilknytning", 0),
        ("ivaerksaettelse", None),
        ("anmodning", None),
    ]


def test_R_DEL_1_accepts_deleting_a_forloeb_never_iverksat():
    f = forloeb(ivaersat=False, afsluttet=True)
    assert deletable_schema(f) == ("afslutning", None)
    f = f.with_schema("afslutning", None)
    assert deletable_schema(f) == ("anmodning", None)
    check_deletion(f, "anmodning")


def test_R_DEL_1_rejects_deleting_a_schema_others_depend_on():
    f = forloeb(afsluttet=True)
    with pytest.raises(DeletionRefused) as exc:
        check_deletion(f, "anmodning")
    assert exc.value.rule == "R-DEL-1"
    assert "Anmodningen kan ikke slettes endnu: afslutningen skal slettes først" in exc.value.reason
    with pytest.raises(DeletionRefused, match="afslutningen skal slettes først"):
        check_deletion(f, "tilbudstilknytning", 0)
    open_ = forloeb()
    with pytest.raises(DeletionRefused, match="tilbudstilknytning nr. 1 skal slettes først"):
        check_deletion(open_, "ivaerksaettelse")


def test_R_DEL_1_rejects_deleting_an_older_tilknytning_before_the_newest():
    f = forloeb(tilb=[tilknytning(), tilknytning(TilbudId=2)])
    with pytest.raises(DeletionRefused, match="tilbudstilknytning nr. 2 skal slettes først"):
        check_deletion(f, "tilbudstilknytning", 0)
    check_deletion(f, "tilbudstilknytning", 1)


def test_R_DEL_1_rejects_deleting_what_is_not_there():
    f = forloeb(ivaersat=False)
    with pytest.raises(DeletionRefused, match="ingen iværksættelse"):
        check_deletion(f, "ivaerksaettelse")
    with pytest.raises(DeletionRefused, match="findes ikke"):
        check_deletion(f, "tilbudstilknytning", 0)
    with pytest.raises(DeletionRefused):
        check_deletion(f, "kvalhep")
    empty = f.with_schema("anmodning", None)
    assert deletable_schema(empty) is None


def test_R_DEL_2_an_edit_is_validated_with_the_rest_of_the_forloeb():
    f = forloeb()
    later = f.with_schema(
        "ivaerksaettelse", {**f.ivaerksaettelse, "IvaerksatBehandlingDato": IVAER_DATO + dage(1)}
    )
    # the tilknytning now starts before the edited iværksættelse
    rules = {v.rule for v in validate_forloeb(later, today=TODAY)}
    assert rules == {"R-TILB-2", "R-TILB-3"}
