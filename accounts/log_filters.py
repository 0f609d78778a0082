"""CPR numbers never reach a log: every record is masked before any handler sees it.

Three layers, so that no path around one of them leaks a number:

- ``configure_logging`` (settings.LOGGING_CONFIG) installs a log record factory
  that masks the message, the exception text (traceback) and the stack of every
  record as it is made — for every logger and every handler, including handlers
  added later (Celery's, pytest's) and Django's own defaults;
- ``MaskCprFormatter`` masks the finished line of each handler we configure
  (formats can add fields of their own, e.g. django.server's request line);
- ``MaskCprFilter`` masks the message for handlers configured with it only.
"""

import logging
import logging.config
import re
import sys
import traceback

from django.utils.log import ServerFormatter

CPR_PATTERN = re.compile(r"(?<!\d)(\d{6})-?(\d{4})(?!\d)")
MASK = "******-****"


def mask_cpr(text: str) -> str:
    return CPR_PATTERN.sub(MASK, text)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask the message, the traceback and the stack of one record, in place."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string; logging reports it when it is emitted
        return record
    masked = mask_cpr(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        # A formatter only formats exc_info when exc_text is empty: formatting it
        # here, masked, means no handler can print the exception unmasked.
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask_cpr(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_cpr(record.stack_info)
    return record


_base_factory = logging.getLogRecordFactory()


def masking_record_factory(*args, **kwargs) -> logging.LogRecord:
    return mask_record(_base_factory(*args, **kwargs))


class StderrHandler(logging.StreamHandler):
    """A StreamHandler on whatever ``sys.stderr`` is when a record is written, not
    on the stream it was when LOGGING was configured. The same stream in a deployed
    process; under pytest the one of the moment (issue 24: a handler bound to the
    capture stream of a finished test wrote "--- Logging error --- / I/O operation on
    closed file" when a live server thread logged a broken pipe later)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass  # always sys.stderr of the moment


def configure_logging(config: dict) -> None:
    """settings.LOGGING_CONFIG: install the masking record factory, then LOGGING."""
    logging.setLogRecordFactory(masking_record_factory)
    logging.config.dictConfig(config)


class MaskCprFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class MaskCprFormatter(logging.Formatter):
    """Masks the whole formatted line, traceback and stack included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_cpr(super().format(record))


class MaskCprServerFormatter(MaskCprFormatter, ServerFormatter):
    """runserver's request lines ("GET /forloeb/... 404"), masked."""
