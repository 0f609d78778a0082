import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry, Handling
from tests.factories import ForloebFactory

pytestmark = pytest.mark.django_db


def test_case_page_shows_every_schema_and_logs_the_view(alice_client, alice, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    response = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk]))
    html = response.content.decode()
    for title in (
        "Anmodning (ANM)",
        "Iværksættelse (IVÆR)",
        "Tilbudstilknytning (TILB)",
        "Afslutning (AFSL)",
    ):
        assert title in html
    assert "2-ANM Anmodningsdato" in html
    assert (
        AuditEntry.objects.filter(
            forloeb_id=forloeb.pk, handling=Handling.VIST, bruger=alice
        ).count()
        == 1
    )


def test_case_page_lists_the_citizens_earlier_forloeb(alice_client, kbh):
    from datetime import timedelta

    from smdb.rules import today_dk

    old = ForloebFactory(myndighed=kbh, afsluttet=True, anmodningsdato=today_dk() - timedelta(300))
    new = ForloebFactory(myndighed=kbh, person_identifikator=old.person_identifikator)
    response = alice_client.get(reverse("cases:forloeb_detail", args=[new.pk]))
    assert response.context["andre"] == [old]


def test_case_page_query_count_is_fixed(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    url = reverse("cases:forloeb_detail", args=[forloeb.pk])

    def earlier_forloeb():
        ForloebFactory(
            myndighed=kbh,
            afsluttet=True,
            person_identifikator=forloeb.person_identifikator,
            anmodningsdato=forloeb.anmodning.behandling_anmodning_dato,
        )

    earlier_forloeb()
    with CaptureQueriesContext(connection) as few:
        alice_client.get(url)
    for _ in range(3):
        earlier_forloeb()
    with CaptureQueriesContext(connection) as many:
        response = alice_client.get(url)
    assert len(response.context["andre"]) == 4
    assert len(many) == len(few)


def test_front_page_lists_recent_forloeb_with_fixed_queries(alice_client, kbh):
    ForloebFactory.create_batch(2, myndighed=kbh, tilknyttet=True)
    with CaptureQueriesContext(connection) as few:
        alice_client.get(reverse("cases:home"))
    ForloebFactory.create_batch(5, myndighed=kbh, tilknyttet=True)
    with CaptureQueriesContext(connection) as many:
        response = alice_client.get(reverse("cases:home"))
    assert len(response.context["forloeb_list"]) == 7
    assert len(many) == len(few)


def test_front_page_lists_cpr_numbers_masked(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    html = alice_client.get(reverse("cases:home")).content.decode()
    assert forloeb.person_identifikator[:6] + "-xxxx" in html
    assert forloeb.cpr_formatted not in html
    assert forloeb.person_identifikator not in html


@pytest.mark.parametrize(
    "url",
    [
        lambda f, t: reverse("cases:anmodning_rediger", args=[f.pk]),
        lambda f, t: reverse("cases:ivaerksaettelse_rediger_trin", args=[f.pk, "laegesamtale"]),
        lambda f, t: reverse("cases:ivaerksaettelse_rediger_trin", args=[f.pk, "opsummering"]),
        lambda f, t: reverse("cases:tilknytning_rediger", args=[f.pk, t.pk]),
        lambda f, t: reverse("cases:tilknytning_afslut", args=[f.pk, t.pk]),
        lambda f, t: reverse("cases:afslutning_rediger", args=[f.pk]),
        lambda f, t: reverse("cases:skema_slet", args=[f.pk, "afslutning"]),
        lambda f, t: reverse("cases:forloeb_slet", args=[f.pk]),
    ],
    ids=[
        "ret anmodning",
        "ret iværksættelse",
        "opsummering",
        "ret tilknytning",
        "afslut tilknytning",
        "ret afslutning",
        "slet skema",
        "slet forløb",
    ],
)
def test_every_page_showing_the_case_logs_the_view(alice_client, alice, kbh, url):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    tilknytning = forloeb.tilbudstilknytninger.get()
    response = alice_client.get(url(forloeb, tilknytning))
    assert response.status_code == 200
    assert forloeb.cpr_formatted in response.content.decode()
    assert (
        AuditEntry.objects.filter(
            forloeb_id=forloeb.pk, handling=Handling.VIST, bruger=alice
        ).count()
        == 1
    )


def test_case_page_names_each_tilknytnings_tilbud_type_intensitet_and_period(alice_client, kbh):
    from tests.factories import TilbudFactory

    TilbudFactory(tilbud_id=4711, navn="Rusmiddelcenter Nord")
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    t = forloeb.tilbudstilknytninger.get()
    t.tilbud_id = 4711
    t.save()
    response = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk]))
    html = response.content.decode()
    heading = next(h for h in html.split("<h3") if "Tilbudstilknytning (TILB) nr. 1" in h)
    heading = heading.split("</h3>")[0]
    assert "Afslut" not in heading
    assert "Rusmiddelcenter Nord" in heading
    assert t.get_behandling_type_kode_display() in heading
    assert t.get_behandling_intensitet_kode_display() in heading
    start = t.tilbud_tilknyttet_behandling_start_dato
    slut = t.tilbud_tilknyttet_behandling_slut_dato
    assert f"{start.day}. " in heading and f" – {slut.day}. " in heading


def test_case_page_facts_for_an_iværksat_forloeb(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True, dage_til_ivaerksaettelse=20)
    html = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    assert "20 dage efter anmodningen" in html
    assert "Overskredet" in html  # 20 > 14 days (R-IVAER-4)
    alder = forloeb.ivaerksaettelse.person_ivaerksat_behandling_alder_kvantitet
    assert f'Alder ved iværksættelse</dt>\n    <dd class="col-sm-9">{alder} år' in html
    assert "Åbne tilknytninger" in html and "Nr. 1: " in html


def test_case_page_shows_the_guarantees_last_day_until_iværksat(alice_client, kbh):
    from datetime import timedelta

    from smdb.rules import today_dk

    anmodet = today_dk() - timedelta(days=3)
    forloeb = ForloebFactory(myndighed=kbh, anmodningsdato=anmodet)
    html = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    sidste = anmodet + timedelta(days=14)
    assert "3 dage siden" in html
    assert "Ikke iværksat" in html
    assert f"iværksæt senest {sidste.day}. " in html
    late = ForloebFactory(myndighed=kbh, anmodningsdato=today_dk() - timedelta(days=15))
    html = alice_client.get(reverse("cases:forloeb_detail", args=[late.pk])).content.decode()
    assert "Overskredet" in html and "sidste dag var" in html


def test_case_page_facts_for_a_closed_forloeb_say_no_tilknytning_is_open(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True, dage_til_ivaerksaettelse=14)
    html = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    assert "Overholdt" in html  # exactly 14 days holds (R-IVAER-4)
    assert "Ingen – alle tilknytninger har en slutdato" in html


def test_the_draft_note_does_not_contradict_itself(alice_client, alice, kbh):
    """Issue 23: a draft is saved, so "… før den er gemt" said the opposite."""
    from cases import services as case_services

    forloeb = ForloebFactory(myndighed=kbh)
    case_services.kladde_save(
        user=alice, forloeb_pk=forloeb.pk, schema="ivaerksaettelse", data={}, trin="x"
    )
    page = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    assert "før den er gemt" not in page
    assert "En kladde er gemt her, men kun her" in page
