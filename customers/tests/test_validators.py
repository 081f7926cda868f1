"""Tests of VIN, licence plate and mobile number validation and normalisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from customers.validators import (
    PROVINCES,
    VIN_ALPHABET,
    normalize_mobile,
    normalize_plate,
    normalize_vin,
    validate_mobile,
    validate_plate,
    validate_vin,
    vin_check_digit,
)

# --- An independent reference for the VIN check digit -------------------------------------------
# Written from the North American / ISO 3779 definition (49 CFR 565.15): letters are transliterated
# to numbers, each position is multiplied by its weight, the sum is taken mod 11 and 10 is written X.
REF_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # I, O and Q are never used
REF_TRANSLITERATION = {
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
    "0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9,
}  # fmt: skip
REF_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
CHECK_INDEX = 8  # the 9th character


def reference_check_digit(vin: str) -> str:
    remainder = sum(REF_TRANSLITERATION[ch] * REF_WEIGHTS[i] for i, ch in enumerate(vin)) % 11
    return "X" if remainder == 10 else str(remainder)


def with_check_digit(sixteen: str) -> str:
    """Insert the reference check digit at position 9 of 16 VIN characters."""
    vin = sixteen[:CHECK_INDEX] + "0" + sixteen[CHECK_INDEX:]
    return vin[:CHECK_INDEX] + reference_check_digit(vin) + vin[CHECK_INDEX + 1 :]


@pytest.fixture(autouse=True)
def english():
    """Messages are lazy and read after the call: compare them with the English source text."""
    with translation.override("en"):
        yield


def validation_message(value: str, validator) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value


# --- VIN ------------------------------------------------------------------------------------------

VALID_VINS = [
    "1M8GDM9AXKP042788",  # the classic textbook example, check digit X
    "11111111111111111",  # 89 mod 11 = 1
    "1HGCM82633A004352",  # Honda Accord
    "JHMCM56557C404453",  # Honda Accord (Japan)
    # Chinese WMIs (SAIC-VW, FAW-VW, SGM, Tesla Shanghai) with the check digit computed here:
    "LSVAU218XN2183294",
    "LFV2A21KXG3029931",
    "LSGPC52U5AF102030",
    "LRWYGCEE3MC000001",
    "LVSHCAMB7CE012345",
]


def test_vin_alphabet_is_iso_3779():
    assert VIN_ALPHABET == REF_ALPHABET
    assert len(VIN_ALPHABET) == 33


@pytest.mark.parametrize("vin", VALID_VINS)
def test_valid_vins(vin):
    assert reference_check_digit(vin) == vin[CHECK_INDEX]
    assert vin_check_digit(vin) == vin[CHECK_INDEX]
    validate_vin(vin)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("1m8gdm9axkp042788", "1M8GDM9AXKP042788"),
        (" 1M8G DM9A XKP0 42788 ", "1M8GDM9AXKP042788"),
        ("lsvau218xn2183294\n", "LSVAU218XN2183294"),
        ("\tLSGPC52U5AF102030", "LSGPC52U5AF102030"),
    ],
)
def test_vin_lowercase_and_spaces_are_normalised_then_accepted(raw, normalised):
    assert normalize_vin(raw) == normalised
    validate_vin(raw)


def test_normalize_vin_of_none_and_empty():
    assert normalize_vin(None) == ""
    assert normalize_vin("") == ""


@pytest.mark.parametrize(
    ("vin", "length"),
    [
        ("", 0),
        ("1M8GDM9AXKP04278", 16),
        ("1M8GDM9AXKP0427888", 18),
        ("LSV", 3),
        ("1M8GDM9AXKP042788-", 18),
    ],
)
def test_vin_wrong_length(vin, length):
    error = validation_message(vin, validate_vin)
    assert error.params == {"n": length}
    assert error.messages == [f"A VIN has exactly 17 characters (this one has {length})."]


@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9AXKP04278I",
        "OM8GDM9AXKP042788",
        "1M8GDM9AXKQ042788",
        "1m8gdm9axkp04278o",  # lower-case o is upper-cased, then refused
        "1M8GDM9AXKP04278*",
        "1M8GDM9AXKP04278Ä",
    ],
)
def test_vin_forbidden_characters(vin):
    error = validation_message(vin, validate_vin)
    assert error.messages == ["A VIN uses only digits and the letters A–Z except I, O and Q."]


@pytest.mark.parametrize(
    ("vin", "got", "expected"),
    [
        ("1M8GDM9A1KP042788", "1", "X"),
        ("1M8GDM9A0KP042788", "0", "X"),
        ("11111111211111111", "2", "1"),
        ("1HGCM82643A004352", "4", "3"),
        ("1HGCM826X3A004352", "X", "3"),
        ("LSVAU2180N2183294", "0", "X"),
        ("LSVAU218AN2183294", "A", "X"),  # a letter other than X is never a check digit
        ("1M8GDM9AXKP042789", "X", "1"),  # one typo in the serial number moves the check digit
    ],
)
def test_vin_wrong_check_digit_names_the_expected_digit(vin, got, expected):
    assert reference_check_digit(vin) == expected
    error = validation_message(vin, validate_vin)
    assert error.params == {"got": got, "expected": expected}
    assert error.messages == [
        f"VIN check digit (9th character) is {got} but should be {expected}: please check for a typo."
    ]


VIN_CHARS = st.sampled_from(REF_ALPHABET)


@settings(max_examples=200, deadline=None)
@given(sixteen=st.text(alphabet=REF_ALPHABET, min_size=16, max_size=16))
def test_any_vin_with_the_computed_check_digit_validates(sixteen):
    vin = with_check_digit(sixteen)
    assert len(vin) == 17
    assert vin_check_digit(vin) == vin[CHECK_INDEX]
    validate_vin(vin)
    validate_vin(vin.lower())


@st.composite
def vin_with_a_detectable_typo(draw):
    """A valid VIN plus a copy with one character (not the check digit) changed so the sum changes.

    The weight of every position except the 9th is in 2..10, the transliterated values differ by 1..9,
    and 11 is prime, so weight × difference is never 0 mod 11: only substitutions with a different
    transliteration value (e.g. not A→J, both 1) are guaranteed to change the check digit.
    """
    vin = with_check_digit(draw(st.text(alphabet=REF_ALPHABET, min_size=16, max_size=16)))
    index = draw(st.sampled_from([i for i in range(17) if i != CHECK_INDEX]))
    original = vin[index]
    replacement = draw(
        st.sampled_from([ch for ch in REF_ALPHABET if REF_TRANSLITERATION[ch] != REF_TRANSLITERATION[original]])
    )
    typo = vin[:index] + replacement + vin[index + 1 :]
    return vin, typo


@settings(max_examples=200, deadline=None)
@given(pair=vin_with_a_detectable_typo())
def test_a_single_substitution_outside_the_check_digit_is_detected(pair):
    vin, typo = pair
    assert REF_WEIGHTS[next(i for i in range(17) if vin[i] != typo[i])] != 0
    expected = reference_check_digit(typo)
    assert expected != vin[CHECK_INDEX]
    error = validation_message(typo, validate_vin)
    assert error.params == {"got": vin[CHECK_INDEX], "expected": expected}


@settings(max_examples=200, deadline=None)
@given(
    sixteen=st.text(alphabet=REF_ALPHABET, min_size=16, max_size=16),
    wrong=st.sampled_from("0123456789X"),
)
def test_a_changed_check_digit_is_detected(sixteen, wrong):
    vin = with_check_digit(sixteen)
    if wrong == vin[CHECK_INDEX]:
        wrong = "X" if wrong != "X" else "0"
    typo = vin[:CHECK_INDEX] + wrong + vin[CHECK_INDEX + 1 :]
    with pytest.raises(ValidationError):
        validate_vin(typo)


@settings(max_examples=200, deadline=None)
@given(vin=st.text(alphabet=REF_ALPHABET, min_size=17, max_size=17))
def test_check_digit_matches_the_reference_implementation(vin):
    assert vin_check_digit(vin) == reference_check_digit(vin)


@settings(max_examples=100, deadline=None)
@given(
    sixteen=st.text(alphabet=REF_ALPHABET, min_size=16, max_size=16),
    index=st.integers(min_value=0, max_value=16).filter(lambda i: i != CHECK_INDEX),
    letter=st.sampled_from("IOQ"),
)
def test_i_o_q_are_refused_anywhere(sixteen, index, letter):
    vin = with_check_digit(sixteen)
    bad = vin[:index] + letter + vin[index + 1 :]
    with pytest.raises(ValidationError):
        validate_vin(bad)


# --- Licence plates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plate",
    [
        # ordinary plates: province, authority letter, 5 letters/digits
        "粤B12345",
        "京A8888Z",
        "沪AD1234",
        "苏E9Z123",
        "川A12B34",
        "琼A00000",
        "藏Z12345",
        # special last characters
        "粤B1234挂",
        "粤A1234学",
        "粤A1234警",
        "粤Z1234港",
        "粤Z1234澳",
        # new-energy small: D/F, and since 2021 any of A–K except I, then letter or digit + 4 digits
        "粤BD12345",
        "粤AF12345",
        "粤BA12345",
        "粤BK12345",
        "粤BDF1234",
        "沪AD00001",
        # new-energy large: 5 digits + D/F
        "粤B12345D",
        "粤B12345F",
    ],
)
def test_valid_plates(plate):
    assert normalize_plate(plate) == plate
    validate_plate(plate)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("京A·8888Z", "京A8888Z"),
        ("粤b12345", "粤B12345"),
        ("粤B 12345", "粤B12345"),
        (" 粤 B 1 2 3 4 5 ", "粤B12345"),
        ("粤B-12345", "粤B12345"),
        ("粤B.12345", "粤B12345"),
        ("粤B•12345", "粤B12345"),
        ("粤B・12345", "粤B12345"),
        ("粤b·d12345", "粤BD12345"),
        ("粤b12345f", "粤B12345F"),
        ("粤z1234港", "粤Z1234港"),
    ],
)
def test_plate_spaces_dots_and_lowercase_are_normalised_then_accepted(raw, normalised):
    assert normalize_plate(raw) == normalised
    validate_plate(raw)


def test_normalize_plate_of_none():
    assert normalize_plate(None) == ""


@pytest.mark.parametrize(
    "plate",
    [
        "",
        "   ",
        # unknown province or none
        "港A12345",
        "台A12345",
        "使A12345",
        "AB12345",
        "1B12345",
        # I and O are never used
        "粤I12345",
        "粤O12345",
        "粤BI2345",
        "粤B1234O",
        "粤BDO1234",
        "粤BDI1234",
        # wrong lengths
        "粤",
        "粤B",
        "粤B1234",
        "粤B123456",
        "粤BD123456",
        "粤B12345DD",
        # new-energy letters in the wrong place or not allowed
        "粤BL12345",
        "粤BZ12345",
        "粤B1D2345",
        "粤BD1234A",
        "粤BDA123B",
        "粤B12345A",
        "粤B1234D5",
        "粤BDD123学",
        # suffix characters only at the end
        "粤B123学4",
        "粤B1234领5",
        "粤B1234中",
    ],
)
def test_invalid_plates(plate):
    error = validation_message(plate, validate_plate)
    assert error.messages == [
        "Not a valid mainland licence plate: expected e.g. 粤B12345, 粤BD12345 (new-energy small) "
        "or 粤B12345D (new-energy large)."
    ]


def test_every_province_abbreviation_is_accepted():
    assert len(PROVINCES) == 31
    assert len(set(PROVINCES)) == 31
    for province in PROVINCES:
        validate_plate(f"{province}A12345")
        validate_plate(f"{province}AD12345")
        validate_plate(f"{province}A12345D")


# --- Mobile numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+86 138 0013 8000",
        "+8613800138000",
        "+86-138-0013-8000",
        "0086 138 0013 8000",
        "008613800138000",
        "8613800138000",
        "86 138 0013 8000",
        "138-0013-8000",
        "(138) 0013 8000",
        " 13800138000 ",
    ],
)
def test_valid_mobiles_are_normalised_to_eleven_digits(raw):
    assert normalize_mobile(raw) == "13800138000"
    validate_mobile(raw)


@pytest.mark.parametrize("mobile", ["13912345678", "14712345678", "15012345678", "16612345678", "19912345678"])
def test_valid_mobile_prefixes(mobile):
    validate_mobile(mobile)


@pytest.mark.parametrize(
    "mobile",
    [
        "",
        "12345678901",
        "11012345678",
        "10086",
        "1380013800",
        "138001380001",
        "1380013800a",
        "abcdefghijk",
        "138 0013 800O",
        "+8612345678901",
        "+1 138 0013 8000",
        "861380013800",
        "02012345678",
        "+86",
    ],
)
def test_invalid_mobiles(mobile):
    error = validation_message(mobile, validate_mobile)
    assert error.messages == ["Not a valid mainland mobile number: 11 digits starting with 13–19."]


def test_normalize_mobile_keeps_an_eleven_digit_number_starting_with_86():
    # 86xxxxxxxxx with 11 digits is not a +86 prefix: nothing is stripped (and it is then refused).
    assert normalize_mobile("86138001380") == "86138001380"
    assert normalize_mobile(None) == ""
