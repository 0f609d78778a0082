"""The administrator's steps on its user pages, shared by the browser tests (issue 9)."""

from playwright.sync_api import expect

from accounts.models import Rolle, User


def opret_sagsbehandler(page, *, kbh, aarhus, username: str = "nina") -> User:
    """From any page: Brugere → Opret bruger, checking that the myndighed is the
    administrator's own and cannot be picked, then a caseworker is created."""
    page.get_by_role("link", name="Brugere").click()
    page.get_by_role("link", name="Opret bruger").click()
    expect(page.get_by_label("Myndighed")).to_have_value(str(kbh))
    expect(page.get_by_label("Myndighed")).not_to_be_editable()
    expect(page.locator("select[name=myndighed], input[name=myndighed]")).to_have_count(0)
    expect(page.get_by_text(str(aarhus))).to_have_count(0)
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Fornavn").fill("Nina")
    page.get_by_label("Efternavn").fill("Ny")
    page.get_by_label("E-mail").fill(f"{username}@example.dk")
    page.get_by_label("Rolle").select_option(label="Sagsbehandler")
    page.get_by_role("button", name="Opret og send link").click()
    expect(page.get_by_text(f"Brugeren {username} er oprettet")).to_be_visible()
    bruger = User.objects.get(username=username)
    assert (bruger.myndighed, bruger.rolle, bruger.is_staff) == (kbh, Rolle.SAGSBEHANDLER, False)
    return bruger
