"""Checks on identifying details that more than one contract needs."""
from __future__ import annotations

import re

from marshmallow import ValidationError

# [0-9], not \d: \d takes any Unicode digit, and "LS１ ４AP" must not pass for "LS1 4AP".
POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9][A-HJKPSTUW]?|[0-9][0-9]|[A-HK-Y][0-9][ABEHMNPRVWXY]?|[A-HK-Y][0-9][0-9]) ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normal_postcode(value: str) -> str:
    """``ls14ap`` and ``LS1 4AP`` are the same postcode; this gives the second form."""
    compact = re.sub(r"\s+", "", value).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def postcode_district(value: str) -> str:
    return district_of(normal_postcode(value))


def district_of(postcode: str) -> str:
    """``LS1`` of ``LS1 4AP``: the district of a postcode already in its normal form."""
    return postcode.split(" ")[0]


def whole_postcode(value: str) -> str:
    """A whole UK postcode, written any way, in its normal form; anything else as typed."""
    normal = normal_postcode(value)
    return normal if POSTCODE.match(normal) else value


def validate_postcode(value: str) -> None:
    if not POSTCODE.match(normal_postcode(value)):
        raise ValidationError(f"{value!r} is not a UK postcode")


def nhs_number_is_valid(value: str) -> bool:
    """Modulus 11: weights 10..2 over the first nine digits give the tenth."""
    if not re.fullmatch(r"[0-9]{10}", value):
        return False
    remainder = sum(int(digit) * weight for digit, weight in zip(value[:9], range(10, 1, -1))) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def validate_nhs_number(value: str) -> None:
    if not nhs_number_is_valid(value):
        raise ValidationError("not a valid NHS number (10 digits with a correct check digit)")
