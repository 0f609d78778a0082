"""The write services behind the caseworker forms: a rule violation keeps nothing, a
stale version conflicts, deletion happens bagfra; each write has its audit row and
its outbox row in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.http import Http404

from audit.models import AuditEntry, Handling
from cases import services
from cases.models import (
    Afslutning,
    Ivaerksaettelse,
    Kladde,
    Kontaktforloeb,
    Tilbudstilknytning,
)
from smdb import demo, rules
from smdb.models import SyncAction, SyncOperation
from smdb.rules import today_dk
from tests.factories import ForloebFactory, TilbudFactory

pytestmark = pytest.mark.django_db


def ivaer_values(forloeb, dage: int = 7, **extra) -> dict:
    anmodet = forloeb.anmodning.behandling_anmodning_dato
    values = demo.ivaerksaettelse_values(
        forloeb.person_identifikator, anmodet, anmodet + timedelta(days=dage)
    )
    # The form never sends the computed 32/23-IVÆR: the service fills them in.
    values.pop("IvaerksatBehandlingDageSidenAnmodningKvantitet")
    values.pop("PersonIvaerksatBehandlingAlderKvantitet")
    return {**values, **extra}


def tilb_values(forloeb, start=None, slut=None, type_kode="04", **extra) -> dict:
    start = start or forloeb.ivaerksaettelse.ivaerksat_behandling_dato
    return {
        **demo.tilbudstilknytning_values(
            TilbudFactory().tilbud_id, start, slut, type_kode=type_kode
        ),
        **extra,
    }


def rule_ids(exc) -> set[str]:
    return {v.rule for v in exc.value.violations}


# --- Iværksættelse -------------------------------------------------------------------


def test_ivaerksaettelse_create_fills_computed_values_and_writes_outbox_and_audit(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    row = services.ivaerksaettelse_create(
        user=alice, forloeb_pk=forloeb.pk, data=ivaer_values(forloeb, dage=7)
    )
    assert row.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 7  # 32-IVÆR
    assert row.person_ivaerksat_behandling_alder_kvantitet == 30  # 23-IVÆR
    assert row.oprettet_af == alice and row.version == 1
    op = SyncOperation.objects.get(schema="ivaerksaettelse", object_id=row.pk)
    assert op.action == SyncAction.INDSAET
    assert AuditEntry.objects.filter(
        forloeb_id=forloeb.pk, handling=Handling.OPRETTET, beskrivelse="Iværksættelse"
    ).exists()


def test_R_IVAER_4_missing_reason_after_14_days_keeps_nothing(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    data = ivaer_values(forloeb, dage=20, BehandlingGarantiOverskredeAarsagKode="")
    with pytest.raises(services.RuleViolations) as exc:
        services.ivaerksaettelse_create(user=alice, forloeb_pk=forloeb.pk, data=data)
    assert "R-IVAER-4" in rule_ids(exc)
    assert exc.value.schema == "ivaerksaettelse"
    assert not Ivaerksaettelse.objects.exists()
    assert not SyncOperation.objects.filter(schema="ivaerksaettelse").exists()
    assert not AuditEntry.objects.filter(handling=Handling.OPRETTET).exists()


def test_R_GEN_2_answers_to_hidden_questions_are_cleared_not_saved(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    data = ivaer_values(
        forloeb,
        dage=7,
        PersonEllerPartnerHarBoernUnder18Indikator=False,
        BoernErTilknyttetHusstandenIndikator=True,  # 45-IVÆR hidden when 44 is Nej
        BehandlingGarantiOverskredeAarsagKode="01",  # 4-IVÆR hidden at 7 days
    )
    row = services.ivaerksaettelse_create(user=alice, forloeb_pk=forloeb.pk, data=data)
    assert row.boern_er_tilknyttet_husstanden_indikator is None
    assert row.behandling_garanti_overskrede_aarsag_kode == ""


def test_R_IVAER_1_second_ivaerksaettelse_is_refused(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    with pytest.raises(services.RuleViolations) as exc:
        services.ivaerksaettelse_create(
            user=alice, forloeb_pk=forloeb.pk, data=ivaer_values(forloeb, dage=3)
        )
    assert rule_ids(exc) == {"R-IVAER-1"}
    assert Ivaerksaettelse.objects.count() == 1


def test_ivaerksaettelse_create_uses_up_the_users_draft(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    Kladde.objects.create(forloeb=forloeb, bruger=alice, schema="ivaerksaettelse", data={})
    services.ivaerksaettelse_create(
        user=alice, forloeb_pk=forloeb.pk, data=ivaer_values(forloeb), kladde=True
    )
    assert not Kladde.objects.exists()


def test_services_refuse_another_myndigheds_forloeb(bob, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    with pytest.raises(Http404):
        services.ivaerksaettelse_create(user=bob, forloeb_pk=forloeb.pk, data=ivaer_values(forloeb))
    with pytest.raises(Http404):
        services.kladde_save(user=bob, forloeb_pk=forloeb.pk, schema="ivaerksaettelse", data={})
    assert not Ivaerksaettelse.objects.exists() and not Kladde.objects.exists()


# --- Tilbudstilknytning -------------------------------------------------------------


def test_R_TILB_2_start_before_ivaerksaettelse_keeps_nothing(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    start = forloeb.ivaerksaettelse.ivaerksat_behandling_dato - timedelta(days=1)
    with pytest.raises(services.RuleViolations) as exc:
        services.tilbudstilknytning_create(
            user=alice, forloeb_pk=forloeb.pk, data=tilb_values(forloeb, start=start)
        )
    assert "R-TILB-2" in rule_ids(exc)
    assert exc.value.index == 0  # the new tilknytning, for the form's own errors
    assert not Tilbudstilknytning.objects.exists()


def test_R_TILB_8_two_substitution_treatments_at_once_are_refused(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    services.tilbudstilknytning_create(
        user=alice, forloeb_pk=forloeb.pk, data=tilb_values(forloeb, type_kode="01")
    )
    with pytest.raises(services.RuleViolations) as exc:
        services.tilbudstilknytning_create(
            user=alice, forloeb_pk=forloeb.pk, data=tilb_values(forloeb, type_kode="07")
        )
    assert "R-TILB-8" in rule_ids(exc)
    assert exc.value.index == 1
    assert Tilbudstilknytning.objects.count() == 1


def test_R_TILB_10_autorisation_of_a_non_substitution_type_is_cleared(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    row = services.tilbudstilknytning_create(
        user=alice,
        forloeb_pk=forloeb.pk,
        data=tilb_values(forloeb, type_kode="04", AutorisationKodeTekst="0A1B2"),
    )
    assert row.autorisation_kode_tekst == ""


def test_afslut_tilknytning_sets_only_the_slut_date(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    row = forloeb.tilbudstilknytninger.get()
    slut = row.tilbud_tilknyttet_behandling_start_dato + timedelta(days=5)
    services.tilbudstilknytning_update(
        user=alice,
        forloeb_pk=forloeb.pk,
        tilknytning_pk=row.pk,
        version=row.version,
        data={"TilbudTilknyttetBehandlingSlutDato": slut},
    )
    saved = Tilbudstilknytning.objects.get()
    assert saved.tilbud_tilknyttet_behandling_slut_dato == slut
    assert saved.behandling_type_kode == row.behandling_type_kode
    assert saved.version == 2 and saved.aendret_af == alice
    assert SyncOperation.objects.filter(schema="tilbudstilknytning", object_id=row.pk).exists()
    assert AuditEntry.objects.filter(forloeb_id=forloeb.pk, handling=Handling.AENDRET).exists()


# --- Optimistic locking (R-DEL-2 edits) ------------------------------------------------


def test_stale_version_conflicts_and_keeps_the_other_persons_save(alice, leder, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    row = forloeb.tilbudstilknytninger.get()
    start = row.tilbud_tilknyttet_behandling_start_dato
    services.tilbudstilknytning_update(  # the first person saves
        user=leder,
        forloeb_pk=forloeb.pk,
        tilknytning_pk=row.pk,
        version=1,
        data={"TilbudTilknyttetBehandlingSlutDato": start + timedelta(days=3)},
    )
    with pytest.raises(services.VersionConflict) as exc:  # the second, from version 1
        services.tilbudstilknytning_update(
            user=alice,
            forloeb_pk=forloeb.pk,
            tilknytning_pk=row.pk,
            version=1,
            data={"TilbudTilknyttetBehandlingSlutDato": start + timedelta(days=9)},
        )
    assert exc.value.current.version == 2
    assert exc.value.current.aendret_af == leder
    saved = Tilbudstilknytning.objects.get()
    assert saved.tilbud_tilknyttet_behandling_slut_dato == start + timedelta(days=3)
    assert saved.version == 2


def test_edit_is_revalidated_with_the_rest_of_the_forloeb_R_AFSL_4(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    afsl = forloeb.afslutning
    row = forloeb.tilbudstilknytninger.get()
    with pytest.raises(services.RuleViolations) as exc:
        services.tilbudstilknytning_update(
            user=alice,
            forloeb_pk=forloeb.pk,
            tilknytning_pk=row.pk,
            version=row.version,
            data={
                "TilbudTilknyttetBehandlingSlutDato": afsl.behandling_afsluttet_dato
                + timedelta(days=1)
            },
        )
    assert {"R-AFSL-4", "R-TILB-6"} & rule_ids(exc)
    assert Tilbudstilknytning.objects.get().version == 1


def test_anmodning_edit_recomputes_32_ivaer(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=7)
    anm = forloeb.anmodning
    services.anmodning_update(
        user=alice,
        forloeb_pk=forloeb.pk,
        version=anm.version,
        data={"BehandlingAnmodningDato": anm.behandling_anmodning_dato + timedelta(days=2)},
    )
    ivaer = Ivaerksaettelse.objects.get()
    assert ivaer.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 5
    assert ivaer.version == 2


GARANTI_AARSAG = "BehandlingGarantiOverskredeAarsagKode"
DAG = timedelta(days=1)


def test_R_IVAER_4_an_earlier_anmodningsdato_past_14_days_asks_for_4_ivaer(alice, kbh):
    # The lægesamtale was held 7 days after the anmodning (smdb.demo).
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=10)
    anm = forloeb.anmodning
    gammel = anm.behandling_anmodning_dato

    def mangler(flyt: int):
        return services.ivaerksaettelse_svar_der_mangler(
            forloeb,
            anmodning=anm.smdb_values() | {"BehandlingAnmodningDato": gammel + flyt * DAG},
        )

    assert mangler(-5) == (GARANTI_AARSAG,)  # 10 -> 15 days
    # 10 -> 18 days: the lægesamtale too is now 15 days after (29-IVÆR, R-IVAER-6).
    assert mangler(-8) == ("LaegesamtaleIkkeAfholdtAarsagTidsfristOverskredetKode", GARANTI_AARSAG)
    assert mangler(-4) == () == mangler(2)  # 14 and 8 days


def test_R_IVAER_4_anmodning_edit_past_14_days_without_the_reason_is_refused(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=10)
    anm = forloeb.anmodning
    gammel = anm.behandling_anmodning_dato
    before = SyncOperation.objects.count()
    with pytest.raises(services.RuleViolations) as exc:
        services.anmodning_update(
            user=alice,
            forloeb_pk=forloeb.pk,
            version=anm.version,
            data={"BehandlingAnmodningDato": gammel - 5 * DAG},  # 10 -> 15 days
        )
    (violation,) = exc.value.violations
    assert (violation.rule, violation.felt_id, violation.variable) == (
        "R-IVAER-4",
        "4-IVÆR",
        GARANTI_AARSAG,
    )
    anm.refresh_from_db()
    assert (anm.behandling_anmodning_dato, anm.version) == (gammel, 1)
    assert Ivaerksaettelse.objects.get().version == 1
    assert SyncOperation.objects.count() == before


def test_R_IVAER_4_anmodning_edit_past_14_days_saves_the_reason_given_with_it(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True, dage_til_ivaerksaettelse=10)
    anm = forloeb.anmodning
    ny = anm.behandling_anmodning_dato - 5 * DAG  # 10 -> 15 days
    services.anmodning_update(
        user=alice,
        forloeb_pk=forloeb.pk,
        version=anm.version,
        data={"BehandlingAnmodningDato": ny},
        # Only the question the edit opens is taken; another IVÆR answer is ignored.
        ivaerksaettelse_svar={GARANTI_AARSAG: "01", "IvaerksatBehandlingDato": ny},
    )
    anm.refresh_from_db()
    ivaer = Ivaerksaettelse.objects.get()
    assert anm.behandling_anmodning_dato == ny
    assert ivaer.behandling_garanti_overskrede_aarsag_kode == "01"
    assert ivaer.ivaerksat_behandling_dage_siden_anmodning_kvantitet == 15
    assert ivaer.ivaerksat_behandling_dato == ny + 15 * DAG
    assert ivaer.version == 2


def test_R_GEN_4_anmodningsdato_cannot_move_across_a_saneringsdato(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, anmodningsdato=date(2025, 7, 3))
    with pytest.raises(services.RuleViolations) as exc:
        services.anmodning_update(
            user=alice,
            forloeb_pk=forloeb.pk,
            version=1,
            data={"BehandlingAnmodningDato": date(2025, 6, 28)},
        )
    assert rule_ids(exc) == {"R-GEN-4"}


# --- Afslutning ---------------------------------------------------------------------


def test_R_AFSL_5_open_tilknytning_blocks_afslutning_and_keeps_nothing(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    dato = forloeb.ivaerksaettelse.ivaerksat_behandling_dato + timedelta(days=3)
    with pytest.raises(services.RuleViolations) as exc:
        services.afslutning_create(
            user=alice, forloeb_pk=forloeb.pk, data=demo.afslutning_values(dato)
        )
    assert "R-AFSL-5" in rule_ids(exc)
    assert not Afslutning.objects.exists()


def test_R_AFSL_7_who_took_over_is_required_for_aarsag_06(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    data = {
        **demo.afslutning_values(today_dk(), aarsag="06"),
        "BehandlingAfsluttetHvemHarOvertagetBehandling": "",
    }
    with pytest.raises(services.RuleViolations) as exc:
        services.afslutning_create(user=alice, forloeb_pk=forloeb.pk, data=data)
    assert "R-AFSL-7" in rule_ids(exc)


# --- Slet bagfra (R-DEL-1) ------------------------------------------------------------


def test_R_DEL_1_deleting_out_of_order_is_refused_and_deletes_nothing(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    with pytest.raises(rules.DeletionRefused) as exc:
        services.skema_delete(user=alice, forloeb_pk=forloeb.pk, schema="ivaerksaettelse")
    assert "tilbudstilknytning" in exc.value.reason
    assert Ivaerksaettelse.objects.exists()
    assert not AuditEntry.objects.filter(handling=Handling.SLETTET).exists()


def test_R_DEL_1_the_newest_schema_is_deleted_with_audit(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    rest = services.skema_delete(user=alice, forloeb_pk=forloeb.pk, schema="afslutning")
    assert rest == forloeb
    assert not Afslutning.objects.exists()
    assert AuditEntry.objects.filter(
        forloeb_id=forloeb.pk, handling=Handling.SLETTET, beskrivelse="Afslutning af behandling"
    ).exists()


def test_R_DEL_1_deleting_a_sent_schema_records_slet_in_the_outbox(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    Afslutning.objects.filter(forloeb=forloeb).update(smdb_id=777)
    services.skema_delete(user=alice, forloeb_pk=forloeb.pk, schema="afslutning")
    op = SyncOperation.objects.get(schema="afslutning")
    assert op.action == SyncAction.SLET


def test_R_DEL_1_only_the_newest_tilknytning_may_go(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    ivaer = forloeb.ivaerksaettelse.ivaerksat_behandling_dato
    nyeste = services.tilbudstilknytning_create(
        user=alice,
        forloeb_pk=forloeb.pk,
        data=tilb_values(forloeb, start=ivaer + timedelta(days=1)),
    )
    aeldste = forloeb.tilbudstilknytninger.exclude(pk=nyeste.pk).get()
    with pytest.raises(rules.DeletionRefused):
        services.skema_delete(
            user=alice,
            forloeb_pk=forloeb.pk,
            schema="tilbudstilknytning",
            tilknytning_pk=aeldste.pk,
        )
    services.skema_delete(
        user=alice, forloeb_pk=forloeb.pk, schema="tilbudstilknytning", tilknytning_pk=nyeste.pk
    )
    assert list(Tilbudstilknytning.objects.all()) == [aeldste]


def test_R_DEL_1_newest_means_last_registered_not_latest_start(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    ivaer = forloeb.ivaerksaettelse.ivaerksat_behandling_dato
    senere_start = services.tilbudstilknytning_create(
        user=alice, forloeb_pk=forloeb.pk, data=tilb_values(forloeb, start=ivaer + timedelta(3))
    )
    # Registered last, but starts before the one above: it is the newest schema.
    sidst_registreret = services.tilbudstilknytning_create(
        user=alice, forloeb_pk=forloeb.pk, data=tilb_values(forloeb, start=ivaer + timedelta(1))
    )
    with pytest.raises(rules.DeletionRefused):
        services.skema_delete(
            user=alice,
            forloeb_pk=forloeb.pk,
            schema="tilbudstilknytning",
            tilknytning_pk=senere_start.pk,
        )
    services.skema_delete(
        user=alice,
        forloeb_pk=forloeb.pk,
        schema="tilbudstilknytning",
        tilknytning_pk=sidst_registreret.pk,
    )
    assert not Tilbudstilknytning.objects.filter(pk=sidst_registreret.pk).exists()


def test_R_DEL_1_deleting_the_anmodning_removes_the_empty_forloeb(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    assert services.skema_delete(user=alice, forloeb_pk=forloeb.pk, schema="anmodning") is None
    assert not Kontaktforloeb.objects.exists()


def test_R_DEL_1_whole_forloeb_is_deleted_walking_back_schema_by_schema(alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    antal = services.forloeb_delete(user=alice, forloeb_pk=forloeb.pk)
    assert antal == 4
    assert not Kontaktforloeb.objects.exists()
    order = list(
        AuditEntry.objects.filter(forloeb_id=forloeb.pk, handling=Handling.SLETTET)
        .order_by("pk")
        .values_list("beskrivelse", flat=True)
    )
    assert order == [
        "Afslutning af behandling",
        "Tilknytning til tilbud",
        "Iværksættelse af behandling",
        "Anmodning om behandling",
    ]


# --- Kladder ---------------------------------------------------------------------------


def test_kladde_is_per_user_and_kept_on_save(alice, kbh, leder):
    forloeb = ForloebFactory(myndighed=kbh)
    services.kladde_save(
        user=alice, forloeb_pk=forloeb.pk, schema="ivaerksaettelse", data={"a": ["1"]}, trin="x"
    )
    services.kladde_save(
        user=alice, forloeb_pk=forloeb.pk, schema="ivaerksaettelse", data={"a": ["2"]}, trin="y"
    )
    services.kladde_save(user=leder, forloeb_pk=forloeb.pk, schema="ivaerksaettelse", data={})
    assert Kladde.objects.count() == 2
    assert Kladde.objects.get(bruger=alice).data == {"a": ["2"]}
    with pytest.raises(Http404):
        services.kladde_delete(user=alice, kladde_pk=Kladde.objects.get(bruger=leder).pk)
