"""Salesforce ids (``io.crm_ids``): the 15 -> 18 character suffix, one record in two forms."""

import pytest

from territory_opt.io.crm_ids import IdIndex, duplicate_keys, id_key, salesforce_id18

# published test vectors of the suffix algorithm (three chunks of five, capitals as bits)
VECTORS = [
    ("a0RE000000IJmcN", "a0RE000000IJmcNMAT"),  # chunks 0ER0a 00000 NcmJI: 12, 0, 19
    ("001M000000qfPyS", "001M000000qfPySIAU"),
    ("a01M00000062mPg", "a01M00000062mPgIAI"),
    ("a0FE000000D6r3F", "a0FE000000D6r3FMAR"),
    ("0F9E000000092w2", "0F9E000000092w2KAA"),
    ("aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaAAA"),
    ("AbCdEfGhIjKlMnO", "AbCdEfGhIjKlMnOVKV"),
    ("aBcDEfgHIJKLMNO", "aBcDEfgHIJKLMNO025"),
    ("001A000010khO8J", "001A000010khO8JIAU"),
]


@pytest.mark.parametrize("id15, id18", VECTORS)
def test_the_suffix_of_a_15_character_id(id15: str, id18: str) -> None:
    assert salesforce_id18(id15) == id18
    assert salesforce_id18(id18) == id18
    assert salesforce_id18(id18[:15] + id18[15:].lower()) == id18  # suffix in any case


def test_text_that_is_no_salesforce_id_keeps_itself() -> None:
    assert salesforce_id18("A00001") is None
    assert salesforce_id18("001M000000qfPySAAA") is None  # 18 characters, wrong suffix
    assert id_key("R01") == "R01"


def test_both_forms_of_one_record_find_the_table_spelling() -> None:
    index = IdIndex(["001M000000qfPySIAU", "R1"])
    assert index.find("001M000000qfPyS") == "001M000000qfPySIAU"
    assert index.find("001M000000qfPySIAU") == "001M000000qfPySIAU"
    assert index.find("001m000000qfpys") is None  # another record: case matters in 15 chars
    assert IdIndex(["001M000000qfPyS"]).find("001M000000qfPySIAU") == "001M000000qfPyS"
    assert index.find("R1") == "R1" and index.find("R2") is None


def test_two_forms_of_one_record_are_a_duplicate() -> None:
    assert duplicate_keys(["a0RE000000IJmcN", "x", "a0RE000000IJmcNMAT"]) == (0, 2)
    assert duplicate_keys(["a0RE000000IJmcN", "a0RE000000IJmcn"]) is None
