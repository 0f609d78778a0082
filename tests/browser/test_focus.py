"""Keyboard focus is visible everywhere, also on the blue top menu (WCAG 2.4.7,
2.4.11), and tick boxes, radio buttons and fields have borders that can be seen
(WCAG 1.4.11: 3:1 against the page). Issue 11."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.factories import ForloebFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def contrast(a: str, b: str) -> float:
    def lum(c):
        ch = [v / 255 for v in rgb(c)]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ring(page: Page) -> dict:
    """The focused element's outline and the background it is drawn on."""
    return page.evaluate(
        """() => {
        const el = document.activeElement, s = getComputedStyle(el);
        let bg = 'rgb(255, 255, 255)';
        for (let p = el.parentElement; p; p = p.parentElement) {
            const c = getComputedStyle(p).backgroundColor;
            if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
        }
        return {text: el.innerText || el.id, style: s.outlineStyle,
                width: parseFloat(s.outlineWidth), color: s.outlineColor, bg: bg};
    }"""
    )


def assert_visible_ring(page: Page) -> None:
    r = ring(page)
    assert r["style"] != "none" and r["width"] >= 2, f"no focus ring on {r['text']!r}: {r}"
    assert contrast(r["color"], r["bg"]) >= 3, f"faint focus ring on {r['text']!r}: {r}"


def test_tab_shows_a_clear_focus_ring_in_the_top_menu_and_on_fields(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/ivaerksaettelse/screening/")
    seen = set()
    for _ in range(30):  # past the top menu, whatever links it holds
        page.keyboard.press("Tab")
        kind = page.evaluate(
            "() => { const e = document.activeElement;"
            " return e.closest('nav.navbar') ? 'menu' : (e.type || e.tagName).toLowerCase(); }"
        )
        seen.add(kind)
        assert_visible_ring(page)
    assert {"menu", "select-one", "checkbox"} <= seen, seen


def test_boxes_and_fields_have_borders_of_3_to_1(login, alice, kbh, live_server):
    forloeb = ForloebFactory(myndighed=kbh)
    page = login(alice)
    page.goto(f"{live_server.url}/forloeb/{forloeb.pk}/ivaerksaettelse/screening/")
    for selector in ("input[type=checkbox]", "input[type=radio]", "select.form-select"):
        color = page.locator(selector).first.evaluate("e => getComputedStyle(e).borderTopColor")
        assert contrast(color, "rgb(255, 255, 255)") >= 3, f"{selector} border {color}"
