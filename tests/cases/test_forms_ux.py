"""Issue 11: what stood in a new caseworker's way on the form pages (view level;
layout, focus and typing are in tests/browser)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import Afslutning
from smdb.rules import today_dk
from tests.factories import ForloebFactory, anmodning_post

pytestmark = pytest.mark.django_db


def afsl_post(**extra) -> dict:
    return {
        "behandling_afsluttet_dato": today_dk().isoformat(),
        "behandling_afsluttet_status_kode": "01",
        "behandling_afsluttet_aarsag_kode": "01",
        "_handling": "gem",
        **extra,
    }


def test_R_AFSL_5_afslut_behandling_names_the_open_tilknytninger_before_the_form(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    t = forloeb.tilbudstilknytninger.get()
    html = alice_client.get(reverse("cases:afslutning_create", args=[forloeb.pk])).content.decode()
    notice = html.index("uden slutdato")
    assert notice < html.index('<form method="post" novalidate')
    afslut = reverse("cases:tilknytning_afslut", args=[forloeb.pk, t.pk])
    assert f'href="{afslut}"' in html


def test_R_AFSL_5_refused_afslutning_names_no_field_off_the_page(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    response = alice_client.post(reverse("cases:afslutning_create", args=[forloeb.pk]), afsl_post())
    assert response.status_code == 200
    assert not Afslutning.objects.exists()
    fejl = [besked for _, besked in response.context["side"].fejl()]
    assert any("R-AFSL-5" in f for f in fejl), fejl
    assert not any("4-TILB" in f for f in fejl), fejl


# --- Find borger and R-ANM-1 -------------------------------------------------------


def test_R_GEN_6_find_borger_refuses_an_impossible_cpr(alice_client):
    response = alice_client.post(reverse("cases:find_borger"), {"cpr": "320190-1234"})
    assert response.context["results"] is None
    assert "ikke en gyldig fødselsdato" in response.content.decode()


def test_R_ANM_1_find_borger_links_to_the_active_forloeb_instead_of_a_new_anmodning(
    alice_client, kbh
):
    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    html = alice_client.post(
        reverse("cases:find_borger"), {"cpr": forloeb.person_identifikator}
    ).content.decode()
    assert f"Gå til det aktive forløb (nr. {forloeb.pk})" in html
    assert "Registrér anmodning for borgeren" not in html


def test_find_borger_offers_a_new_anmodning_when_every_forloeb_is_closed(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, afsluttet=True)
    html = alice_client.post(
        reverse("cases:find_borger"), {"cpr": forloeb.person_identifikator}
    ).content.decode()
    assert "Registrér anmodning for borgeren" in html
    assert "Gå til det aktive forløb" not in html


def test_R_ANM_1_error_on_a_new_anmodning_links_to_the_active_forloeb(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    response = alice_client.post(
        reverse("cases:anmodning_create"),
        {
            "person_identifikator": forloeb.person_identifikator,
            "behandling_anmodning_dato": today_dk().isoformat(),
            "behandling_tidligere_kode": "02",
            "person_eller_partner_gravid_kode": "99",
            "person_psykisk_funktionsnedsaettelse_kode": "02",
        },
    )
    html = response.content.decode()
    assert "R-ANM-1" in html
    detail = reverse("cases:forloeb_detail", args=[forloeb.pk])
    assert f'href="{detail}"' in html


# --- Errors mark their input, all of a page's errors in one round ----------------------


def error_marking_problems(html: str) -> list[str]:
    """What is wrong with how the page ties its error texts to its inputs."""
    import lxml.html

    doc = lxml.html.fromstring(html)
    problems = []
    ids = [e.get("id") for e in doc.iter() if e.get("id")]
    problems += [f"duplicate id {i}" for i in {i for i in ids if ids.count(i) > 1}]
    described = {}
    for el in doc.xpath("//*[@aria-describedby]"):
        for ref in el.get("aria-describedby").split():
            described.setdefault(ref, []).append(el)
            if ref not in ids:
                problems.append(f"aria-describedby names missing id {ref!r}")
    for feedback in doc.xpath("//*[contains(@class, 'invalid-feedback')]"):
        fid = feedback.get("id")
        if not fid or fid not in described:
            problems.append(f"error text {fid!r} describes no input")
            continue
        for el in described[fid]:
            inputs = (
                [el]
                if el.tag in ("input", "select", "textarea")
                else el.xpath(
                    ".//input[not(@type='hidden') and not(@type='search')]|.//select|.//textarea"
                )
            )
            for i in inputs:
                if i.get("aria-invalid") != "true" or "is-invalid" not in i.get("class", ""):
                    problems.append(f"{i.get('name')} not marked invalid")
    return problems


def test_every_form_marks_its_invalid_inputs(alice_client, kbh):
    ny = ForloebFactory(myndighed=kbh)
    aaben = ForloebFactory(myndighed=kbh, tilknyttet=True)
    slut = ForloebFactory(myndighed=kbh, afsluttet=True)
    t = aaben.tilbudstilknytninger.get()
    posts = [
        (reverse("cases:find_borger"), {"cpr": "12ab"}),
        (reverse("cases:anmodning_create"), {"person_identifikator": "3201901234"}),
        (
            reverse("cases:ivaerksaettelse_trin", args=[ny.pk, "laegesamtale"]),
            {"_handling": "naeste", "ivaerksat_behandling_dato": "fem"},
        ),
        (
            reverse("cases:ivaerksaettelse_trin", args=[ny.pk, "screening"]),
            {"_handling": "naeste"},
        ),
        (reverse("cases:tilknytning_create", args=[aaben.pk]), {"_handling": "gem"}),
        (
            reverse("cases:tilknytning_afslut", args=[aaben.pk, t.pk]),
            {"_handling": "gem", "tilbud_tilknyttet_behandling_slut_dato": "x"},
        ),
        (reverse("cases:afslutning_create", args=[aaben.pk]), {"_handling": "gem"}),
        (
            reverse("cases:afslutning_rediger", args=[slut.pk]),
            {"_handling": "gem", "behandling_afsluttet_dato": "2.3"},
        ),
    ]
    for url, data in posts:
        html = alice_client.post(url, data).content.decode()
        assert "invalid-feedback" in html, url
        assert error_marking_problems(html) == [], url


def test_a_tilknytning_shows_unreadable_and_rule_errors_in_one_round(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    response = alice_client.post(
        reverse("cases:tilknytning_create", args=[forloeb.pk]),
        {"_handling": "gem", "tilbud_tilknyttet_behandling_start_dato": "31.02.2026"},
    )
    errors = response.context["side"].form.errors
    assert "Skriv en gyldig dato." in errors["tilbud_tilknyttet_behandling_start_dato"]
    # The rule engine's required answers, in the same round (R-TILB-*).
    for name in ("tilbud_id", "behandling_type_kode", "behandling_intensitet_kode"):
        assert name in errors, name
    # An unreadable answer is not also reported as missing.
    assert len(errors["tilbud_tilknyttet_behandling_start_dato"]) == 1


def test_an_ivaer_step_shows_unreadable_and_rule_errors_in_one_round(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    response = alice_client.post(
        reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "laegesamtale"]),
        {"_handling": "naeste", "ivaerksat_behandling_dato": "fem"},
    )
    errors = response.context["side"].form.errors
    assert errors["ivaerksat_behandling_dato"] == ["Skriv en gyldig dato."]
    assert "oensker_borger_tilbud_laegesamtale_kode" in errors


def test_an_anmodning_shows_unreadable_and_rule_errors_in_one_round(alice_client, kbh):
    response = alice_client.post(
        reverse("cases:anmodning_create"),
        {"person_identifikator": "3201901234", "behandling_anmodning_dato": "i går"},
    )
    errors = response.context["form"].errors
    assert any("R-GEN-6" in e for e in errors["person_identifikator"])
    assert errors["behandling_anmodning_dato"]
    assert "behandling_tidligere_kode" in errors


def test_required_questions_are_marked_for_eyes_and_screen_readers(alice_client, kbh):
    import lxml.html

    forloeb = ForloebFactory(myndighed=kbh, ivaersat=True)
    html = alice_client.get(reverse("cases:afslutning_create", args=[forloeb.pk])).content
    doc = lxml.html.fromstring(html)
    dato = doc.get_element_by_id("id_behandling_afsluttet_dato")
    assert dato.get("aria-required") == "true"
    label = doc.xpath("//label[@for='id_behandling_afsluttet_dato']")[0]
    assert label.getnext().get("class") == "paakraevet"
    # An optional question is not marked; a required Ja/Nej group is.
    html = alice_client.get(reverse("cases:tilknytning_create", args=[forloeb.pk])).content
    doc = lxml.html.fromstring(html)
    assert (
        doc.get_element_by_id("id_tilbud_tilknyttet_behandling_slut_dato").get("aria-required")
        is None
    )  # 4-TILB: given when the tilknytning ends
    radios = doc.xpath("//input[@name='person_behandling_frit_valg_indikator']")
    assert radios and all(r.get("required") is not None for r in radios)
    assert "Spørgsmål markeret med" in html.decode()


def test_anmodning_errors_are_summed_up_on_top_with_links_to_the_fields(alice_client, kbh):
    html = alice_client.post(
        reverse("cases:anmodning_create"), {"person_identifikator": "3201901234"}
    ).content.decode()
    summary = html[html.index("data-fejlresume") : html.index('<form method="post" novalidate')]
    assert 'href="#id_person_identifikator"' in summary and "R-GEN-6" in summary
    assert 'href="#id_behandling_anmodning_dato"' in summary


# --- Kassér asks first; "1 skema" -----------------------------------------------------


def test_kasser_a_draft_asks_first_then_deletes(alice_client, alice, kbh):
    from cases.models import Kladde

    forloeb = ForloebFactory(myndighed=kbh)
    kladde = Kladde.objects.create(forloeb=forloeb, bruger=alice, schema="ivaerksaettelse")
    url = reverse("cases:kladde_slet", args=[forloeb.pk, kladde.pk])
    detail = alice_client.get(reverse("cases:forloeb_detail", args=[forloeb.pk])).content.decode()
    assert f'href="{url}"' in detail  # a link to the question, not a button that deletes
    html = alice_client.get(url).content.decode()
    assert "Vil du kassere din kladde" in html
    assert Kladde.objects.filter(pk=kladde.pk).exists()
    alice_client.post(url)
    assert not Kladde.objects.filter(pk=kladde.pk).exists()


def test_kasser_refuses_another_users_draft(alice_client, kbh):
    from cases.models import Kladde
    from tests.factories import UserFactory

    forloeb = ForloebFactory(myndighed=kbh)
    kladde = Kladde.objects.create(
        forloeb=forloeb, bruger=UserFactory(myndighed=kbh), schema="ivaerksaettelse"
    )
    url = reverse("cases:kladde_slet", args=[forloeb.pk, kladde.pk])
    assert alice_client.get(url).status_code == 404


def test_deleting_a_forloeb_of_one_schema_says_1_skema(alice_client, kbh):
    forloeb = ForloebFactory(myndighed=kbh)
    response = alice_client.post(reverse("cases:forloeb_slet", args=[forloeb.pk]), follow=True)
    assert "(1 skema)" in response.content.decode()


# --- An anmodningsdato more than a year back is asked about once -------------------


def test_an_anmodningsdato_over_a_year_back_is_asked_about_once(alice_client, kbh):
    import re
    from datetime import timedelta

    from cases.models import Kontaktforloeb
    from tests.factories import cpr_for_age

    url = reverse("cases:anmodning_create")
    gammel = today_dk() - timedelta(days=400)
    data = anmodning_post(cpr_for_age(40, 3), gammel)
    html = alice_client.post(url, data).content.decode()
    assert "Er datoen rigtig?" in html
    assert not Kontaktforloeb.objects.exists()
    confirmed = re.search(r'name="dato_bekraeftet" value="([^"]*)"', html).group(1)
    assert confirmed == gammel.isoformat()
    # Another date is asked about again; the confirmed one is saved.
    other = {**data, "behandling_anmodning_dato": (gammel - timedelta(days=1)).isoformat()}
    assert (
        "Er datoen rigtig?"
        in alice_client.post(url, {**other, "dato_bekraeftet": confirmed}).content.decode()
    )
    response = alice_client.post(url, {**data, "dato_bekraeftet": confirmed})
    assert response.status_code == 302
    assert Kontaktforloeb.objects.count() == 1


def test_a_recent_anmodningsdato_is_saved_without_asking(alice_client, kbh):
    from datetime import timedelta

    from tests.factories import cpr_for_age

    response = alice_client.post(
        reverse("cases:anmodning_create"),
        anmodning_post(cpr_for_age(40, 4), today_dk() - timedelta(days=300)),
    )
    assert response.status_code == 302


# --- Options that can never be valid are disabled with the reason --------------------


@pytest.mark.parametrize(("alder", "disabled", "open_"), [(30, "06", "05"), (16, "05", "06")])
def test_R_IVAER_5_4_ivaer_option_impossible_for_the_age_is_disabled_with_why(
    alice_client, kbh, alder, disabled, open_
):
    import re
    from datetime import timedelta

    from tests.factories import cpr_for_age

    forloeb = ForloebFactory(myndighed=kbh, person_identifikator=cpr_for_age(alder, 5))
    anmodet = forloeb.anmodning.behandling_anmodning_dato
    html = alice_client.post(
        reverse("cases:ivaerksaettelse_trin", args=[forloeb.pk, "laegesamtale"]),
        {
            "_handling": "naeste",
            "ivaerksat_behandling_dato": (anmodet + timedelta(days=20)).isoformat(),
        },
    ).content.decode()
    select = re.search(
        r'<select name="behandling_garanti_overskrede_aarsag_kode".*?</select>', html, re.S
    )
    assert select, "4-IVÆR is shown after 20 days (R-IVAER-4)"
    options = dict(re.findall(r'<option value="(\d\d)"([^>]*)>', select.group(0)))
    assert "disabled" in options[disabled]
    assert "disabled" not in options[open_]
    assert f"borgeren er {alder} år" in select.group(0)


# --- A conflict says who changed what, and keeps theirs or yours per field -----------


def test_conflict_says_who_changed_what_and_saves_only_what_was_chosen(alice_client, kbh, leder):
    import json
    import re

    from cases.models import Tilbudstilknytning
    from cases.wizards import values_to_data
    from smdb.fields import TILBUDSTILKNYTNING

    forloeb = ForloebFactory(myndighed=kbh, tilknyttet=True)
    row = forloeb.tilbudstilknytninger.get()
    url = reverse("cases:tilknytning_rediger", args=[forloeb.pk, row.pk])
    html = alice_client.get(url).content.decode()
    start = re.search(r'name="_start" value="([^"]*)"', html).group(1).replace("&quot;", '"')
    assert json.loads(start)["behandling_intensitet_kode"] == [row.behandling_intensitet_kode]
    theirs = "02" if row.behandling_intensitet_kode != "02" else "03"
    mine_frit = not row.person_behandling_frit_valg_indikator
    # Meanwhile the leder changes the intensitet.
    Tilbudstilknytning.objects.filter(pk=row.pk).update(
        version=2, aendret_af=leder, behandling_intensitet_kode=theirs
    )
    data = {
        **{k: v for k, v in values_to_data(TILBUDSTILKNYTNING, row.smdb_values()).items()},
        "person_behandling_frit_valg_indikator": ["true" if mine_frit else "false"],
        "version": ["1"],
        "_start": [start],
        "_handling": ["gem"],
    }
    response = alice_client.post(url, data)
    forskelle = {f.name: f for f in response.context["konflikt"]["forskelle"]}
    intensitet = forskelle["behandling_intensitet_kode"]
    frit = forskelle["person_behandling_frit_valg_indikator"]
    assert (intensitet.deres_aendret, intensitet.min_aendret, intensitet.behold) == (
        True,
        False,
        "deres",
    )
    assert (frit.deres_aendret, frit.min_aendret, frit.behold) == (False, True, "min")
    html = response.content.decode()
    assert 'name="_behold_behandling_intensitet_kode" id="behold-deres-' in html
    # Gem with the choices shown: theirs for the intensitet, mine for frit valg.
    again = {
        **data,
        "version": ["2"],
        "_behold_behandling_intensitet_kode": ["deres"],
        "_behold_person_behandling_frit_valg_indikator": ["min"],
    }
    assert alice_client.post(url, again).status_code == 302
    saved = Tilbudstilknytning.objects.get()
    assert saved.behandling_intensitet_kode == theirs
    assert saved.person_behandling_frit_valg_indikator is mine_frit


def test_free_text_fields_show_their_limit_before_one_types():
    """Issue 23: "højst N tegn" from the field metadata, on every free-text field."""
    from cases.schema_forms import TekstField, form_field
    from smdb.fields import ALL_FIELDS, FieldType

    tekstfelter = [f for f in ALL_FIELDS.values() if f.type == FieldType.TEXT and f.max_length]
    assert tekstfelter
    for felt in tekstfelter:
        formfelt = form_field(felt)
        assert isinstance(formfelt, TekstField)
        assert f"Højst {felt.max_length} tegn." in formfelt.help_text
