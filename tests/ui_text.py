"""What a user reads on a page: its text and the attributes shown or read aloud
(issue 23: no English word in the UI)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Words a Danish user must not meet; whole words, case-insensitive.
ENGELSKE_ORD = (
    "previous",
    "next",
    "outbox",
    "standard",
    "set-password",
    "page not found",
    "not found",
    "server error",
    "table navigation",
    "submit",
    "search",
    "cancel",
    "delete",
    "required",
    "none",
    "true",
    "false",
    "anonymous",
    "ascending",
    "descending",
)

VISTE_ATTRIBUTTER = {"title", "aria-label", "placeholder", "alt", "value"}


class _Tekst(HTMLParser):
    def __init__(self):
        super().__init__()
        self.dele: list[str] = []
        self._skjult = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._skjult += 1
        attrs = dict(attrs)
        for navn in VISTE_ATTRIBUTTER & attrs.keys():
            # A hidden input's value is not shown; a button's is.
            if navn == "value" and attrs.get("type") in {"hidden", None, "text", "date"}:
                continue
            self.dele.append(attrs[navn] or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._skjult -= 1

    def handle_data(self, data):
        if not self._skjult:
            self.dele.append(data)


def synlig_tekst(html: str) -> str:
    parser = _Tekst()
    parser.feed(html)
    return " ".join(" ".join(parser.dele).split())


def engelske_ord(html: str) -> list[str]:
    tekst = synlig_tekst(html).lower()
    return [
        ord for ord in ENGELSKE_ORD if re.search(rf"(?<![\w-]){re.escape(ord)}(?![\w-])", tekst)
    ]
