"""What the browser tests of the schema forms do again and again: answer by Felt-ID
label, check accessibility with axe-core, take screenshots at two widths."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect

AXE_STATIC = "vendor/axe-core/axe.min.js"
SCREENS = Path(os.environ.get("SCREENS_DIR", "/tmp/screens"))
WIDTHS = (1280, 390)


def axe_check(page: Page) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    # Loaded from our own origin: the Content-Security-Policy refuses inline scripts,
    # which is what add_script_tag(path=...) would inject.
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    page.add_script_tag(url=f"{origin}{settings.STATIC_URL.rstrip('/')}/{AXE_STATIC}")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["html"][:120] for n in v["nodes"][:3])
        for v in bad
    )


def screenshot(page: Page, name: str) -> None:
    """Full-page screenshots at 1280 px and 390 px wide into /tmp/screens/."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def check_page(page: Page, name: str) -> None:
    axe_check(page)
    screenshot(page, name)


def vaelg(page: Page, label: str, option: str, *, exact: bool = False) -> None:
    page.get_by_label(label, exact=exact).select_option(label=option)


def svar(page: Page, label: str, option: str) -> None:
    """Answer a Ja/Nej question (a radio group named by its Felt-ID label)."""
    page.get_by_role("group", name=label).get_by_label(option, exact=True).check()


def live(page: Page, action) -> None:
    """Do ``action`` (an answer) and wait until the page's live update is swapped in."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.request.headers.get("hx-request") == "true"
    ):
        action()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def dato(page: Page, label: str, d: date) -> None:
    """Type a date; the change triggers the live update."""
    live(page, lambda: page.get_by_label(label).fill(d.isoformat()))


def hidden_field(page: Page, label: str) -> None:
    expect(page.get_by_label(label)).to_have_count(0)


def visible_field(page: Page, label: str) -> None:
    expect(page.get_by_label(label)).to_be_visible()


def group(page: Page, label: str):
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))
