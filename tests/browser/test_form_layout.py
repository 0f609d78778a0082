"""Every form page fits a 390 px phone without sideways scrolling, and a click on a
tick box or radio button ticks that box and no other (issue 11: the long 31-IVÆR
label ran over its neighbour's box, so clicking 14 ticked 19)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.forloeb_helpers import axe_check, screenshot
from tests.factories import ForloebFactory, TilbudFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 900}
DESKTOP = {"width": 1280, "height": 900}


def form_pages(kbh) -> list[tuple[str, str]]:
    """(name, path) of every page with a form a caseworker fills in."""
    TilbudFactory(tilbud_id=4711, navn="Rusmiddelcenter Nord", kommune="København")
    ny = ForloebFactory(myndighed=kbh)
    aaben = ForloebFactory(myndighed=kbh, tilknyttet=True)
    slut = ForloebFactory(myndighed=kbh, afsluttet=True)
    t_aaben = aaben.tilbudstilknytninger.get()
    t_slut = slut.tilbudstilknytninger.get()
    pages = [
        ("forside", "/"),
        ("find-borger", "/borger/"),
        ("anmodning", "/anmodning/ny/"),
        ("forloeb-aabent", f"/forloeb/{aaben.pk}/"),
        ("forloeb-afsluttet", f"/forloeb/{slut.pk}/"),
    ]
    pages += [
        (f"ivaer-{trin}", f"/forloeb/{ny.pk}/ivaerksaettelse/{trin}/")
        for trin in ("laegesamtale", "screening", "stofbrug", "injektion", "opsummering")
    ]
    pages += [
        ("ret-ivaer-screening", f"/forloeb/{slut.pk}/ivaerksaettelse/rediger/screening/"),
        ("tilknytning", f"/forloeb/{aaben.pk}/tilknytning/ny/"),
        ("ret-tilknytning", f"/forloeb/{slut.pk}/tilknytning/{t_slut.pk}/rediger/"),
        ("afslut-tilknytning", f"/forloeb/{aaben.pk}/tilknytning/{t_aaben.pk}/afslut/"),
        ("afslutning", f"/forloeb/{aaben.pk}/afslutning/ny/"),
        ("ret-afslutning", f"/forloeb/{slut.pk}/afslutning/rediger/"),
        ("ret-anmodning", f"/forloeb/{slut.pk}/anmodning/rediger/"),
        ("slet-afslutning", f"/forloeb/{slut.pk}/afslutning/slet/"),
        ("slet-forloeb", f"/forloeb/{slut.pk}/slet/"),
    ]
    return pages


#: The pages that are sent empty to see their errors (an edit page would save).
SENT_EMPTY = {
    "find-borger",
    "anmodning",
    "ivaer-laegesamtale",
    "ivaer-screening",
    "tilknytning",
    "afslut-tilknytning",
    "afslutning",
}


def settle(page: Page) -> None:
    """Wait for a live update (htmx) the last answer started, if any."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def overflow(page: Page) -> int:
    """How many px the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def click_every_box(page: Page) -> int:
    """Click the middle of each visible tick box and radio button with the mouse, as
    a person would; each click must tick that box and change no other box.
    Returns how many were clicked."""
    boxes = page.locator("main input[type=checkbox], main input[type=radio]")
    clicked = 0
    for i in range(boxes.count()):
        box = boxes.nth(i)
        if not box.is_visible():
            continue
        box.scroll_into_view_if_needed()
        before = page.evaluate(
            "() => [...document.querySelectorAll('main input[type=checkbox]')]"
            ".map(b => [b.id, b.checked])"
        )
        was_checked = box.is_checked()
        area = box.bounding_box()
        page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
        settle(page)
        box = boxes.nth(i)
        name = box.evaluate("b => b.labels.length ? b.labels[0].innerText : b.id")
        if box.get_attribute("type") == "radio":
            assert box.is_checked(), f"clicking the radio {name!r} did not choose it"
        else:
            assert box.is_checked() != was_checked, f"clicking the box {name!r} did not tick it"
            after = dict(
                page.evaluate(
                    "() => [...document.querySelectorAll('main input[type=checkbox]')]"
                    ".map(b => [b.id, b.checked])"
                )
            )
            others = [
                bid
                for bid, checked in before
                if bid != box.get_attribute("id") and bid in after and after[bid] != checked
            ]
            assert not others, f"clicking the box {name!r} also changed {others}"
        clicked += 1
    return clicked


def test_no_form_page_scrolls_sideways_at_390_px_and_each_box_ticks_its_own_value(
    login, alice, kbh, live_server
):
    page = login(alice)
    total = 0
    for name, path in form_pages(kbh):
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            page.goto(live_server.url + path)
            expect(page.locator("main h1")).to_be_visible()
            if size is PHONE:
                assert overflow(page) <= 0, f"{name}: {overflow(page)} px sideways scroll at 390"
            total += click_every_box(page)
    # The pages do have boxes: 31-IVÆR alone has more than ten.
    assert total > 40


def test_every_form_page_passes_axe_at_1280_and_390_px(login, alice, kbh, live_server):
    page = login(alice)
    for name, path in form_pages(kbh):
        page.goto(live_server.url + path)
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            axe_check(page)
        screenshot(page, f"layout-{name}")
        # A new form sent empty: its errors at the fields and in the summary.
        submit = page.locator("main form[novalidate] button[type=submit]").first
        if name in SENT_EMPTY:
            page.set_viewport_size(DESKTOP)
            submit.click()
            page.wait_for_load_state()
            for size in (DESKTOP, PHONE):
                page.set_viewport_size(size)
                axe_check(page)
                assert overflow(page) <= 0 or size is DESKTOP, f"{name} with errors scrolls"
            screenshot(page, f"layout-{name}-fejl")
