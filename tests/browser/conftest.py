import pytest

from tests.factories import PASSWORD

# Every page a browser test opens reports this DOM event as a console error, so a
# refusal of the Content-Security-Policy is seen even where Chromium words it otherwise.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP-overtrædelse: ${e.violatedDirective} ${e.blockedURI || "inline"}`
    + ` (${e.sourceFile || document.location.pathname}:${e.lineNumber}:${e.columnNumber})`);
});
"""
# Static files the page needs; a 4xx/5xx on one of them is a broken page.
_STATIC_RESOURCES = {"script", "stylesheet", "image", "font"}


class Konsol:
    """What the browser said while a test ran: JavaScript errors, console errors
    (CSP refusals among them) and failed loads of the page's static files."""

    def __init__(self) -> None:
        self.fejl: list[str] = []

    def watch(self, context) -> None:
        context.add_init_script(_CSP_LISTENER)
        context.on("console", self._console)
        context.on("weberror", lambda e: self.fejl.append(f"JavaScript-fejl: {e.error}"))
        context.on("response", self._response)

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        # A page asked for on purpose with a 4xx (a refusal, a 404 page) is logged by
        # Chromium as a failed load; its static files are checked in _response.
        if msg.text.startswith("Failed to load resource: the server responded with a status"):
            return
        where = msg.page.url if msg.page else "?"
        self.fejl.append(f"Konsol: {msg.text} [{where}]")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type in _STATIC_RESOURCES:
            self.fejl.append(f"{response.status} for {response.url}")


@pytest.fixture(autouse=True)
def browser_console(request):
    """Issue 23: every browser test records the console of every page it opens (the
    ``page``/``context`` fixtures and any ``browser.new_context()``/``new_page()``)
    and fails on a CSP violation, a JavaScript error or a broken static file."""
    brugt = {"page", "context", "browser", "new_context"} & set(request.fixturenames)
    if not brugt:
        yield None
        return
    konsol = Konsol()
    mp = pytest.MonkeyPatch()
    browser = request.getfixturevalue("browser")
    new_context = browser.new_context

    def watched_new_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        konsol.watch(context)
        return context

    def watched_new_page(*args, **kwargs):
        return watched_new_context(*args, **kwargs).new_page()

    mp.setattr(browser, "new_context", watched_new_context)
    mp.setattr(browser, "new_page", watched_new_page)
    try:
        yield konsol
    finally:
        mp.undo()
    if konsol.fejl:
        pytest.fail("Browserens konsol viste fejl:\n" + "\n".join(konsol.fejl[:20]))


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
