import pytest

from tests.factories import PASSWORD


@pytest.fixture
def login(page, live_server):
    """Log in through the login form, as a person would."""

    def do_login(user):
        page.goto(f"{live_server.url}/konto/log-ind/")
        page.get_by_label("Brugernavn").fill(user.username)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do_login


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A Danish caseworker's browser: dates typed and shown as dd-mm-åååå."""
    return {**browser_context_args, "locale": "da-DK", "timezone_id": "Europe/Copenhagen"}
