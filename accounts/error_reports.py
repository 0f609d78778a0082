"""Error reports (Django's DEBUG page, error mails) never show a password, a private
key or a CPR number (issue 23).

Each view that receives one names it with ``sensitive_post_parameters`` and the
functions holding one with ``sensitive_variables``; this filter is the net under
them, on with DEBUG on too (Django's own filter is off then, so the demo's debug page
showed a PKCS#12 password and a decrypted private key):

- POST parameters and local variables whose name says secret (password, kode, cpr,
  key, token ...) are hidden;
- so is any other value that holds a CPR number or a PEM private key;
- the exception's message and the query string are shown with CPR numbers masked.
"""

from __future__ import annotations

import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from accounts.log_filters import CPR_PATTERN, mask_cpr

#: Names of POST fields and variables that hold a secret or a CPR number.
FORTROLIGE_NAVNE = re.compile(
    r"pass|adgangskode|^kode$|otp|token|secret|hemmelig|key|noegle|cpr|person_identifikator"
    r"|pkcs|fernet|sessionid",
    re.IGNORECASE,
)
_PRIVAT_NOEGLE = re.compile(r"PRIVATE KEY|ENCRYPTED KEY")
#: Values longer than this are shown only if their start holds nothing secret.
_MAX_REPR = 100_000


def _fortroligt(value) -> bool:
    """A value that holds a CPR number or a private key, as the page would show it."""
    try:
        text = value.decode("latin-1") if isinstance(value, bytes | bytearray) else repr(value)
    except Exception:  # a broken __repr__: shown as Django would, with its error
        return False
    text = text[:_MAX_REPR]
    return bool(CPR_PATTERN.search(text) or _PRIVAT_NOEGLE.search(text))


class SkjulFortroligt(SafeExceptionReporterFilter):
    """settings.DEFAULT_EXCEPTION_REPORTER_FILTER."""

    def is_active(self, request) -> bool:
        # Django's filter is off with DEBUG on; the demo's DEBUG page is the one a
        # caseworker or an administrator actually sees.
        return True

    def _skjul(self, multivaluedict):
        cleansed = multivaluedict.copy()
        for key, values in multivaluedict.lists():
            if FORTROLIGE_NAVNE.search(key) or any(_fortroligt(v) for v in values):
                cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return self._skjul(super().get_post_parameters(request))

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        return self._skjul(super().get_cleansed_multivaluedict(request, multivaluedict))

    def get_traceback_frame_variables(self, request, tb_frame):
        out = []
        for name, value in super().get_traceback_frame_variables(request, tb_frame):
            if value != self.cleansed_substitute and (
                FORTROLIGE_NAVNE.search(name) or _fortroligt(value)
            ):
                value = self.cleansed_substitute
            out.append((name, value))
        return out


class MaskeretRapport(ExceptionReporter):
    """settings.DEFAULT_EXCEPTION_REPORTER: the parts the filter does not reach."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if "exception_value" in data:
            data["exception_value"] = mask_cpr(data["exception_value"])
        if "request_GET_items" in data:
            data["request_GET_items"] = list(
                self.filter.get_cleansed_multivaluedict(self.request, self.request.GET).items()
            )
        meta = data.get("request_meta")
        if isinstance(meta, dict):
            data["request_meta"] = {
                k: mask_cpr(v) if isinstance(v, str) else v for k, v in meta.items()
            }
        return data
