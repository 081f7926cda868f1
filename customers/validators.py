"""Validation and normalisation of VINs, mainland licence plates and mobile numbers.

* VIN (GB 16735 / ISO 3779): 17 characters from 0-9 and A-Z without I, O, Q; the 9th
  character is a check digit: transliterate letters to numbers, multiply by the
  position weights, sum, take the remainder mod 11 (10 is written "X").
* Plates (GA 36): a province abbreviation, the issuing-authority letter, then
  - ordinary plates: 5 letters/digits (no I or O), the last may be 挂/学/警/港/澳/领/试/超;
  - small new-energy plates: D/F (pure electric/hybrid, or A–K since 2021) + letter or
    digit + 4 digits, e.g. 粤BD12345;
  - large new-energy plates: 5 digits + D/F, e.g. 粤B12345D.
* Mobiles: mainland numbers 1[3-9]xxxxxxxxx, an optional +86/86 prefix removed.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_RE = re.compile(r"^[0-9A-HJ-NPR-Z]{17}$")

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # plate letters: no I, no O
_PLATE_RES = (
    re.compile(rf"^[{PROVINCES}][{_L}][{_L}0-9]{{4}}[{_L}0-9挂学警港澳领试超]$"),
    re.compile(rf"^[{PROVINCES}][{_L}][A-HJK][{_L}0-9][0-9]{{4}}$"),
    re.compile(rf"^[{PROVINCES}][{_L}][0-9]{{5}}[DF]$"),
)
_PLATE_STRIP = re.compile(r"[\s·•・\-.]")
_MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def _half_width(value: str) -> str:
    """Full-width letters and digits (a Chinese input method's Ａ３４４８Ｌ) as plain ones (A3448L)."""
    return unicodedata.normalize("NFKC", value or "")


def normalize_vin(value: str) -> str:
    return re.sub(r"\s", "", _half_width(value)).upper()


def vin_check_digit(vin: str) -> str:
    """The check character (0-9 or X) for a 17-character VIN (position 9 is ignored)."""
    total = sum(_VIN_VALUES[ch] * weight for ch, weight in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(value: str) -> None:
    """Raise ValidationError unless value is a 17-character VIN with a correct check digit."""
    vin = normalize_vin(value)
    if len(vin) != 17:
        raise ValidationError(_("A VIN has exactly 17 characters (this one has %(n)d)."), params={"n": len(vin)})
    if not _VIN_RE.match(vin):
        raise ValidationError(_("A VIN uses only digits and the letters A–Z except I, O and Q."))
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        raise ValidationError(
            _("VIN check digit (9th character) is %(got)s but should be %(expected)s: please check for a typo."),
            params={"got": vin[8], "expected": expected},
        )


def normalize_plate(value: str) -> str:
    return _PLATE_STRIP.sub("", _half_width(value)).upper()


def validate_plate(value: str) -> None:
    """Raise ValidationError unless value is a mainland China licence plate (incl. new-energy)."""
    plate = normalize_plate(value)
    if not any(pattern.match(plate) for pattern in _PLATE_RES):
        raise ValidationError(
            _(
                "Not a valid mainland licence plate: expected e.g. 粤B12345, "
                "粤BD12345 (new-energy small) or 粤B12345D (new-energy large)."
            )
        )


def normalize_mobile(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", _half_width(value))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def validate_mobile(value: str) -> None:
    """Raise ValidationError unless value is a mainland mobile number."""
    if not _MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(_("Not a valid mainland mobile number: 11 digits starting with 13–19."))
