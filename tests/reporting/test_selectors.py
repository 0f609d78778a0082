"""Each kontrolliste's membership, pinned on hand-made forløb at its boundaries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import (
    Afslutning,
    Anmodning,
    Ivaerksaettelse,
    SyncStatus,
    Tilbudstilknytning,
)
from reporting import selectors as s
from smdb.rules.dato import DK
from tests.factories import UserFactory
from tests.reporting.conftest import REF, alt_sendt, dage_foer, genberegn, lav

pytestmark = pytest.mark.django_db


def paa_listen(slug, myndighed, dato=REF) -> set[int]:
    return set(
        s.kontrolliste_forloeb(omfang=s.Omfang(myndighed.pk), slug=slug, dato=dato).values_list(
            "pk", flat=True
        )
    )


# --- ikke-ivaerksat ---------------------------------------------------------


def test_ikke_ivaerksat_day_14_is_within_the_guarantee_day_15_is_not(kbh):
    dag14 = lav(kbh, dage_foer(14))
    dag15 = lav(kbh, dage_foer(15))
    iverksat = lav(kbh, dage_foer(40), "ivaersat", dage=20)
    lukket = lav(kbh, dage_foer(40), "afsluttet_uden_ivaerksaettelse")
    liste = paa_listen("ikke-ivaerksat", kbh)
    assert dag15.pk in liste
    assert dag14.pk not in liste
    assert iverksat.pk not in liste and lukket.pk not in liste


# --- garanti-overskredet ------------------------------------------------------


def test_garanti_overskredet_14_days_is_within_15_is_beyond(kbh):
    inden = lav(kbh, date(2026, 3, 1), "ivaersat", dage=14)
    over = lav(kbh, date(2026, 3, 1), "ivaersat", dage=15)
    liste = paa_listen("garanti-overskredet", kbh)
    assert over.pk in liste
    assert inden.pk not in liste


def test_garanti_overskredet_counts_the_year_of_the_reference_date_only(kbh):
    sidste_aar = lav(kbh, date(2025, 12, 1), "ivaersat", dage=20)  # iværksat 21.12.2025
    nytaar = lav(kbh, date(2025, 12, 20), "ivaersat", dage=20)  # iværksat 9.1.2026
    liste = paa_listen("garanti-overskredet", kbh)
    assert nytaar.pk in liste
    assert sidste_aar.pk not in liste


def test_garanti_overskredet_row_gives_the_reason(kbh):
    over = lav(kbh, date(2026, 3, 1), "ivaersat", dage=15)
    row = s.kontrolliste_forloeb(omfang=s.Omfang(kbh.pk), slug="garanti-overskredet", dato=REF)[0]
    assert row.pk == over.pk
    assert s.kontrolliste_detalje("garanti-overskredet", row, REF) == (
        "15 dage – Mangel på ledig plads"
    )


# --- uden-tilknytning -----------------------------------------------------------


def test_uden_tilknytning_a_tilknytning_ending_on_the_reference_date_is_still_open(kbh):
    slutter_i_dag = lav(kbh, dage_foer(60), "tilknyttet")
    sluttede_i_gaar = lav(kbh, dage_foer(60), "tilknyttet")
    Tilbudstilknytning.objects.filter(forloeb=slutter_i_dag).update(
        tilbud_tilknyttet_behandling_slut_dato=REF
    )
    Tilbudstilknytning.objects.filter(forloeb=sluttede_i_gaar).update(
        tilbud_tilknyttet_behandling_slut_dato=REF - timedelta(days=1)
    )
    genberegn(slutter_i_dag, sluttede_i_gaar)
    liste = paa_listen("uden-tilknytning", kbh)
    assert sluttede_i_gaar.pk in liste
    assert slutter_i_dag.pk not in liste


def test_uden_tilknytning_start_after_the_reference_date_is_not_open(kbh):
    starter_i_morgen = lav(kbh, dage_foer(60), "tilknyttet")
    starter_i_dag = lav(kbh, dage_foer(60), "tilknyttet")
    Tilbudstilknytning.objects.filter(forloeb=starter_i_morgen).update(
        tilbud_tilknyttet_behandling_start_dato=REF + timedelta(days=1)
    )
    Tilbudstilknytning.objects.filter(forloeb=starter_i_dag).update(
        tilbud_tilknyttet_behandling_start_dato=REF
    )
    genberegn(starter_i_morgen, starter_i_dag)
    ingen = lav(kbh, dage_foer(60), "ivaersat")
    lukket = lav(kbh, dage_foer(200), "afsluttet")
    anmodet = lav(kbh, dage_foer(60))
    liste = paa_listen("uden-tilknytning", kbh)
    assert starter_i_morgen.pk in liste and ingen.pk in liste
    assert starter_i_dag.pk not in liste
    assert lukket.pk not in liste and anmodet.pk not in liste


# --- laegesamtale -------------------------------------------------------------------


def _laegesamtale(forloeb, *, oensker="01", afholdt=None, dato=None):
    Ivaerksaettelse.objects.filter(forloeb=forloeb).update(
        oensker_borger_tilbud_laegesamtale_kode=oensker,
        laegesamtale_afholdt_indikator=afholdt,
        laegesamtale_afholdt_dato=dato,
    )
    genberegn(forloeb)


def test_laegesamtale_held_on_day_14_is_in_time_day_15_is_late(kbh):  # R-IVAER-6
    anmodet = date(2026, 3, 1)
    dag14 = lav(kbh, anmodet, "ivaersat", dage=20)
    dag15 = lav(kbh, anmodet, "ivaersat", dage=20)
    _laegesamtale(dag14, afholdt=True, dato=anmodet + timedelta(days=14))
    _laegesamtale(dag15, afholdt=True, dato=anmodet + timedelta(days=15))
    liste = paa_listen("laegesamtale", kbh)
    assert dag15.pk in liste
    assert dag14.pk not in liste


def test_laegesamtale_not_held_is_late_once_day_14_has_passed(kbh):  # R-IVAER-6
    dag14 = lav(kbh, dage_foer(14), "ivaersat", dage=2)
    dag15 = lav(kbh, dage_foer(15), "ivaersat", dage=2)
    oensket_ikke = lav(kbh, dage_foer(60), "ivaersat", dage=2)
    for f in (dag14, dag15):
        _laegesamtale(f, afholdt=False)
    _laegesamtale(oensket_ikke, oensker="02", afholdt=False)
    liste = paa_listen("laegesamtale", kbh)
    assert dag15.pk in liste
    assert dag14.pk not in liste and oensket_ikke.pk not in liste


# --- glemte ---------------------------------------------------------------------------


def test_glemte_an_open_forloeb_unchanged_for_6_months(kbh, settings):
    settings.REPORTING_GLEMTE_MAANEDER = 6
    graense = s.glemt_foer(REF)
    assert graense == datetime(2025, 12, 10, tzinfo=DK)
    glemt = lav(kbh, date(2025, 1, 5), "tilknyttet")
    lige_paa_graensen = lav(kbh, date(2025, 1, 5), "tilknyttet")
    tilknytning_aendret = lav(kbh, date(2025, 1, 5), "tilknyttet")
    lukket = lav(kbh, date(2025, 1, 5), "afsluttet")
    for f in (glemt, lige_paa_graensen, tilknytning_aendret, lukket):
        for model in (Anmodning, Ivaerksaettelse, Tilbudstilknytning, Afslutning):
            model.objects.filter(forloeb=f).update(aendret=graense - timedelta(seconds=1))
    Ivaerksaettelse.objects.filter(forloeb=lige_paa_graensen).update(aendret=graense)
    Tilbudstilknytning.objects.filter(forloeb=tilknytning_aendret).update(aendret=graense)
    genberegn(glemt, lige_paa_graensen, tilknytning_aendret, lukket)
    liste = paa_listen("glemte", kbh)
    assert glemt.pk in liste
    assert lige_paa_graensen.pk not in liste
    assert tilknytning_aendret.pk not in liste
    assert lukket.pk not in liste


def test_glemte_months_come_from_the_setting(kbh, settings):
    f = lav(kbh, date(2026, 1, 5), "ivaersat")
    for model in (Anmodning, Ivaerksaettelse):
        model.objects.filter(forloeb=f).update(aendret=datetime(2026, 4, 1, tzinfo=DK))
    genberegn(f)
    settings.REPORTING_GLEMTE_MAANEDER = 6
    assert f.pk not in paa_listen("glemte", kbh)
    settings.REPORTING_GLEMTE_MAANEDER = 2
    assert f.pk in paa_listen("glemte", kbh)


# --- smdb-fejl ------------------------------------------------------------------------


def test_smdb_fejl_refused_or_unsent_for_more_than_a_day(kbh):
    afvist = lav(kbh, dage_foer(30), "tilknyttet")
    gammel = lav(kbh, dage_foer(30), "tilknyttet")
    ny = lav(kbh, dage_foer(30), "tilknyttet")
    sendt = lav(kbh, dage_foer(30), "tilknyttet")
    for f in (afvist, gammel, ny, sendt):
        alt_sendt(f)
    Tilbudstilknytning.objects.filter(forloeb=afvist).update(sync_status=SyncStatus.AFVIST)
    Ivaerksaettelse.objects.filter(forloeb=gammel).update(
        sync_status=SyncStatus.FEJL, aendret=timezone.now() - timedelta(hours=25)
    )
    Anmodning.objects.filter(forloeb=ny).update(
        sync_status=SyncStatus.AFVENTER, aendret=timezone.now() - timedelta(hours=23)
    )
    Anmodning.objects.filter(forloeb=sendt).update(aendret=timezone.now() - timedelta(days=9))
    genberegn(afvist, gammel, ny, sendt)
    from smdb.rules.dato import today_dk

    liste = paa_listen("smdb-fejl", kbh, dato=today_dk())
    assert afvist.pk in liste and gammel.pk in liste
    assert ny.pk not in liste and sendt.pk not in liste


# --- frister --------------------------------------------------------------------------


def test_social_deadline_is_the_15th_of_the_next_month():
    assert s.social_frist(date(2026, 5, 1)) == date(2026, 6, 15)
    assert s.social_frist(date(2026, 5, 31)) == date(2026, 6, 15)
    assert s.social_frist(date(2026, 12, 20)) == date(2027, 1, 15)
    assert s.medicinsk_frist(date(2026, 1, 31)) == date(2026, 2, 28)


def test_frister_social_schema_due_on_the_15th_is_listed_from_the_8th(kbh):
    # An anmodning of 20 May is due 15 June; listed 7 days before: from 8 June.
    f = lav(kbh, date(2026, 5, 20))
    assert f.pk not in paa_listen("frister", kbh, dato=date(2026, 6, 7))
    assert f.pk in paa_listen("frister", kbh, dato=date(2026, 6, 8))
    assert f.pk in paa_listen("frister", kbh, dato=date(2026, 6, 20))  # overdue
    Anmodning.objects.filter(forloeb=f).update(sync_status=SyncStatus.SENDT)
    genberegn(f)
    assert f.pk not in paa_listen("frister", kbh, dato=date(2026, 6, 20))


def test_frister_medical_tilknytning_due_one_month_after_its_start(kbh):
    # Started 28 May: medical due 28 June (listed from 21 June), social due 15 June.
    medicinsk = lav(kbh, date(2026, 5, 20), "tilknyttet", dage=8)
    social = lav(kbh, date(2026, 5, 20), "tilknyttet", dage=8)
    for f in (medicinsk, social):
        alt_sendt(f)
        Tilbudstilknytning.objects.filter(forloeb=f).update(sync_status=SyncStatus.AFVENTER)
    Tilbudstilknytning.objects.filter(forloeb=medicinsk).update(behandling_type_kode="01")
    genberegn(medicinsk, social)
    assert paa_listen("frister", kbh, dato=date(2026, 6, 7)) == set()
    assert paa_listen("frister", kbh, dato=date(2026, 6, 8)) == {social.pk}
    assert paa_listen("frister", kbh, dato=date(2026, 6, 20)) == {social.pk}
    assert paa_listen("frister", kbh, dato=date(2026, 6, 21)) == {social.pk, medicinsk.pk}


# --- scope and counts -----------------------------------------------------------------


def test_counts_agree_with_the_lists_in_one_query(kbh, aarhus):
    lav(kbh, dage_foer(15))
    lav(kbh, date(2026, 3, 1), "ivaersat", dage=15)
    lav(aarhus, dage_foer(15))
    with CaptureQueriesContext(connection) as ctx:
        antal = s.kontrolliste_antal(omfang=s.Omfang(kbh.pk), dato=REF)
    assert len(ctx.captured_queries) == 1
    for slug in s.KONTROLLISTER:
        assert antal[slug.replace("-", "_")] == len(paa_listen(slug, kbh)), slug
    assert antal["ikke_ivaerksat"] == 1


def test_a_caseworkers_own_counts_cover_the_forloeb_they_registered(kbh):
    alice = UserFactory(myndighed=kbh)
    egen = lav(kbh, dage_foer(15), oprettet_af=alice)
    lav(kbh, dage_foer(15))
    antal = s.kontrolliste_antal(omfang=s.omfang_for_sagsbehandler(alice), dato=REF)
    assert antal["ikke_ivaerksat"] == 1
    assert [r.pk for r in s.overblik(omfang=s.omfang_for_sagsbehandler(alice))] == [egen.pk]


def test_a_caseworker_gets_no_leder_scope(alice, leder, charlie):
    assert s.omfang_for_leder(alice).myndighed_id is None
    assert s.omfang_for_leder(leder).myndighed_id == leder.myndighed_id
    assert s.omfang_for_leder(charlie).myndighed_id == charlie.myndighed_id
    assert not s.status_i(s.omfang_for_leder(alice)).exists()


def test_overblik_lists_open_forloeb_in_a_fixed_number_of_queries(kbh):
    aabne = [lav(kbh, dage_foer(20 + n), "tilknyttet") for n in range(3)]
    lav(kbh, dage_foer(200), "afsluttet")

    def laes():
        with CaptureQueriesContext(connection) as ctx:
            rows = s.forloeb_af(s.med_skemaer(s.overblik(omfang=s.Omfang(kbh.pk))))
            for r in rows:
                [t.tilbud_navn for t in r.tilbudstilknytninger.all()]
                s.smdb_tilstand(r)
                _ = (r.anmodning, r.ivaerksaettelse, r.oprettet_af)
        return rows, len(ctx.captured_queries)

    rows, n = laes()
    assert [r.pk for r in rows] == [f.pk for f in reversed(aabne)]
    assert n == 3  # the rows, their forløb with the one-to-one schemas, the tilknytninger
    for k in range(5):
        lav(kbh, dage_foer(30 + k), "tilknyttet")
    assert laes()[1] == n


# --- hovedtal ------------------------------------------------------------------------


def _systemskift_par(myndighed, tekst="Systemskift", aarsag="10"):
    foerste = lav(myndighed, date(2025, 3, 1), "afsluttet", dage=4)
    Tilbudstilknytning.objects.filter(forloeb=foerste).update(
        tilbud_tilknyttet_behandling_slut_dato=date(2026, 1, 31)
    )
    Afslutning.objects.filter(forloeb=foerste).update(
        behandling_afsluttet_dato=date(2026, 1, 31),
        behandling_afsluttet_aarsag_kode=aarsag,
        behandling_afsluttet_aarsag_tekst=tekst,
    )
    genberegn(foerste)
    anden = lav(
        myndighed,
        date(2026, 2, 1),
        "tilknyttet",
        dage=0,
        person_identifikator=foerste.person_identifikator,
    )
    return foerste, anden


def test_hovedtal_a_systemskift_pair_counts_once_on_the_first_forloebs_dates(kbh):  # R-SKIFT-4
    _systemskift_par(kbh)
    h = s.hovedtal(omfang=s.Omfang(kbh.pk), aar=2026)
    assert h.tal["anmodninger"] == 0
    assert h.tal["ivaerksaettelser"] == 0
    assert h.tal["afslutninger"] == 0
    assert h.tal["personer_i_behandling"] == 1
    h2025 = s.hovedtal(omfang=s.Omfang(kbh.pk), aar=2025)
    assert h2025.tal["anmodninger"] == 1 and h2025.tal["ivaerksaettelser"] == 1


def test_hovedtal_another_reason_followed_next_day_counts_twice(kbh):  # R-SKIFT-4
    _systemskift_par(kbh, tekst="Flyttet internt")
    h = s.hovedtal(omfang=s.Omfang(kbh.pk), aar=2026)
    assert h.tal["anmodninger"] == 1
    assert h.tal["ivaerksaettelser"] == 1
    assert h.tal["afslutninger"] == 1


def test_hovedtal_counts_and_guarantee_share(kbh, aarhus):
    lav(kbh, date(2026, 2, 1), "ivaersat", dage=14)
    lav(kbh, date(2026, 2, 1), "tilknyttet", dage=15)
    lav(kbh, date(2026, 2, 1), "afsluttet", dage=3)  # afsluttet 4.4.2026
    lav(kbh, date(2025, 12, 30))
    lav(aarhus, date(2026, 2, 1), "ivaersat")
    with CaptureQueriesContext(connection) as ctx:
        h = s.hovedtal(omfang=s.Omfang(kbh.pk), aar=2026)
    assert len(ctx.captured_queries) == 3
    assert h.tal["anmodninger"] == 3
    assert h.tal["ivaerksaettelser"] == 3
    assert h.tal["afslutninger"] == 1
    assert h.tal["personer_i_behandling"] == 3
    assert (h.tal["inden_for_garanti"], h.tal["over_garanti"]) == (2, 1)
    assert h.andel_inden_for_garanti == 66.7
    assert sum(dict(h.fordelinger["koen"]).values()) == 3
    assert dict(h.fordelinger["hovedstof"]) == {"Hash/Cannabis": 3}
    aldre = dict(h.fordelinger["aldersgruppe"])
    assert sum(aldre.values()) == 3 and aldre["Uoplyst"] == 0 and aldre["Under 18"] == 0
    assert dict(h.fordelinger["behandlingstype"]) == {
        "Stoffri behandling (§101 SEL / §33 Barnets Lov)": 2
    }


def test_personer_i_behandling_excludes_those_closed_before_the_year(kbh):
    lav(kbh, date(2025, 1, 1), "afsluttet")  # afsluttet februar 2025
    aaben = lav(kbh, date(2025, 1, 1), "tilknyttet")
    h = s.hovedtal(omfang=s.Omfang(kbh.pk), aar=2026)
    assert h.tal["personer_i_behandling"] == 1
    assert [
        f.pk for f in s.hovedtal_forloeb(omfang=s.Omfang(kbh.pk), aar=2026, noegle="i_behandling")
    ] == [aaben.pk]


def test_the_front_pages_single_query_agrees_with_the_lists_and_the_week(kbh):
    lav(kbh, dage_foer(15))
    lav(kbh, dage_foer(3))
    lav(kbh, date(2026, 3, 1), "ivaersat", dage=15)
    omfang = s.Omfang(kbh.pk)
    with CaptureQueriesContext(connection) as ctx:
        antal, uge = s.forside_tal(omfang=omfang, dato=REF)
    assert len(ctx.captured_queries) == 1
    assert antal == s.kontrolliste_antal(omfang=omfang, dato=REF)
    assert uge == s.ugens_tal(omfang=omfang, dato=REF)
    assert uge["anmodninger"] == 1 and uge["ikke_modtaget"] == 3


# --- R-SKIFT-4 in the lists (issue 22) ------------------------------------------------


def _model2_par(myndighed, stadie="afsluttet", dage=30, skiftedato=date(2026, 6, 5)):
    """A forløb anmodet 1.3.2026, closed by a model-2 system change on ``skiftedato``
    and registered again the next day (iværksat that day if the first one was)."""
    foerste = lav(myndighed, date(2026, 3, 1), stadie, dage=dage)
    Tilbudstilknytning.objects.filter(forloeb=foerste).update(
        tilbud_tilknyttet_behandling_slut_dato=skiftedato
    )
    Afslutning.objects.filter(forloeb=foerste).update(
        behandling_afsluttet_dato=skiftedato,
        behandling_afsluttet_aarsag_kode="10",
        behandling_afsluttet_aarsag_tekst="Systemskift",
    )
    genberegn(foerste)
    anden = lav(
        myndighed,
        skiftedato + timedelta(days=1),
        "tilknyttet" if stadie == "afsluttet" else "anmodet",
        dage=0,
        person_identifikator=foerste.person_identifikator,
    )
    return foerste, anden


def test_a_model2_pair_keeps_its_long_wait_on_the_guarantee_list(kbh):  # R-SKIFT-4
    foerste, anden = _model2_par(kbh)
    assert paa_listen("garanti-overskredet", kbh) == {anden.pk}
    row = s.kontrolliste_forloeb(omfang=s.Omfang(kbh.pk), slug="garanti-overskredet", dato=REF)
    assert row.get().behandling_anmodning_dato == date(2026, 3, 1)
    assert row.get().ivaerksat_behandling_dage_siden_anmodning_kvantitet == 30
    aabne = s.status_i(s.Omfang(kbh.pk)).filter(s.AABEN)
    assert [(r.pk, r.behandling_anmodning_dato) for r in aabne] == [(anden.pk, date(2026, 3, 1))]


def test_a_model2_pair_never_iverksat_stays_on_ikke_ivaerksat(kbh):  # R-SKIFT-4
    foerste, anden = _model2_par(kbh, stadie="afsluttet_uden_ivaerksaettelse")
    assert paa_listen("ikke-ivaerksat", kbh) == {anden.pk}


def test_a_model2_pair_is_not_new_in_the_week_of_the_change(kbh):  # R-SKIFT-4
    _model2_par(kbh)
    for noegle in ("anmodninger", "ivaerksaettelser"):
        assert not s.ugens_forloeb(omfang=s.Omfang(kbh.pk), dato=REF, noegle=noegle).exists()


def test_a_restart_without_systemskift_is_a_new_forloeb_in_the_lists(kbh):  # R-SKIFT-4
    foerste, anden = _model2_par(kbh)
    Afslutning.objects.filter(forloeb=foerste).update(behandling_afsluttet_aarsag_tekst="Flyttet")
    genberegn(foerste, anden)
    assert paa_listen("garanti-overskredet", kbh) == {foerste.pk}
    assert s.ugens_forloeb(omfang=s.Omfang(kbh.pk), dato=REF, noegle="anmodninger").get().pk == (
        anden.pk
    )


def test_the_case_pages_of_a_model2_pair_link_old_and_new(kbh, alice_client):  # R-SKIFT-4
    from django.urls import reverse

    foerste, anden = _model2_par(kbh)
    side = alice_client.get(reverse("cases:forloeb_detail", args=[anden.pk])).content.decode()
    assert f'Fortsætter <a href="{reverse("cases:forloeb_detail", args=[foerste.pk])}"' in side
    side = alice_client.get(reverse("cases:forloeb_detail", args=[foerste.pk])).content.decode()
    assert f'fortsat i <a href="{reverse("cases:forloeb_detail", args=[anden.pk])}"' in side


def test_overblik_lists_a_model2_pair_once_with_the_wait_since_the_first_anmodning(
    kbh, client, leder
):  # R-SKIFT-4
    """OVERBLIK's "dage siden anmodning" counts from the first forløb's anmodning."""
    from django.urls import reverse

    client.force_login(leder)
    foerste, anden = _model2_par(kbh, stadie="afsluttet_uden_ivaerksaettelse")
    table = client.get(reverse("reporting:overblik")).context["table"]
    rows = [r.record for r in table.page.object_list]
    assert [r.pk for r in rows] == [anden.pk]
    assert rows[0].behandling_anmodning_dato == date(2026, 3, 1)
    assert table.celle_dage(rows[0]) == (table.dato - date(2026, 3, 1)).days
