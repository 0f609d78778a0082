"""CPR numbers (R-GEN-6), birth date with the century from the 7th digit, age."""

from __future__ import annotations

from datetime import date

import pytest

from smdb.rules import age_at, birth_date, cpr_error, normaliser_cpr


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        ("0101901234", date(1990, 1, 1)),  # 7th digit 0-3: 1900s
        ("2110620629", date(1962, 10, 21)),
        ("0101364000", date(2036, 1, 1)),  # 4 or 9 and year < 37: 2000s
        ("0101374000", date(1937, 1, 1)),  # 4 or 9 and year >= 37: 1900s
        ("0101579000", date(1957, 1, 1)),
        ("0101105000", date(2010, 1, 1)),  # 5-8 and year < 58: 2000s
        ("0101605000", date(1860, 1, 1)),  # 5-8 and year >= 58: 1800s
        ("2110625629", date(1862, 10, 21)),
        ("010190-1234", date(1990, 1, 1)),  # the hyphen is allowed
    ],
)
def test_birth_date_uses_the_7th_digit_for_the_century(cpr, born):
    assert birth_date(cpr) == born


def test_R_GEN_6_cpr_error_accepts_valid_numbers():
    assert cpr_error("0101901234", today=date(2026, 1, 1)) is None
    assert cpr_error("010190-1234", today=date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("cpr", "says"),
    [
        ("", "Angiv"),
        ("01019012345", "10 cifre"),
        ("010190123", "10 cifre"),
        ("01019O1234", "10 cifre"),
        ("3002901234", "fødselsdato"),
        ("0113901234", "fødselsdato"),
        ("0101304000", "fremtiden"),  # born 2030
    ],
)
def test_R_GEN_6_cpr_error_rejects(cpr, says):
    message = cpr_error(cpr, today=date(2026, 1, 1))
    assert message and says in message


def test_age_at_counts_whole_years():
    assert age_at("0101901234", date(2025, 12, 31)) == 35
    assert age_at("0101901234", date(2026, 1, 1)) == 36
    # born 1992-02-29: 18 from 1 March in a year without 29 February
    assert age_at("2902924000", date(2010, 2, 28)) == 17
    assert age_at("2902924000", date(2010, 3, 1)) == 18


def test_birth_date_raises_on_invalid():
    with pytest.raises(ValueError):
        birth_date("3102901234")
    with pytest.raises(ValueError):
        birth_date("12")


# --- One normaliser at every edge (issue 15) -------------------------------------------

VARIANTS = [
    "080881-1607",
    "080881\u20131607",  # en dash
    "080881\u20141607",  # em dash
    "080881\u22121607",  # minus sign
    "080881\u20101607",  # hyphen
    "080881\u20111607",  # non-breaking hyphen
    "080881\ufe631607",  # small hyphen-minus
    "080881\uff0d1607",  # fullwidth hyphen-minus
    " 080881 1607 ",
    "080881\u00a01607",  # no-break space
    "\u200f0808811607",  # right-to-left mark, invisible when pasted
    "０８０８８１１６０７",  # fullwidth digits
    "𝟎𝟖𝟎𝟖𝟖𝟏𝟏𝟔𝟎𝟕",  # mathematical bold digits
    "٠٨٠٨٨١١٦٠٧",  # Arabic-Indic digits
    "۰۸۰۸۸۱–۱۶۰۷",  # extended Arabic-Indic digits and an en dash
]


@pytest.mark.parametrize("typed", VARIANTS)
def test_R_GEN_6_every_dash_and_digit_variant_normalises_to_10_ascii_digits(typed):
    assert normaliser_cpr(typed) == "0808811607"
    assert cpr_error(typed, today=date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    "typed",
    [
        "0808811607\x00",  # NUL
        "080881_1607",
        "080881.1607",
        "080881/1607",
        "08088116O7",  # letter O
        "0808811607²",  # superscript digit: not a decimal digit
        "080881⁻¹⁶⁰⁷",
        "08088116077",
        "080881160",
        "",
        "   ",
    ],
)
def test_R_GEN_6_anything_else_is_refused_in_danish(typed):
    with pytest.raises(ValueError, match="CPR-nummer"):
        normaliser_cpr(typed)
    assert cpr_error(typed, today=date(2026, 1, 1))
