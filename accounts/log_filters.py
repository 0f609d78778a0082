"""CPR numbers never reach a log: every record is masked before it is written."""

import logging
import re

CPR_PATTERN = re.compile(r"(?<!\d)(\d{6})-?(\d{4})(?!\d)")


def mask_cpr(text: str) -> str:
    return CPR_PATTERN.sub("******-****", text)


class MaskCprFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_cpr(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
