"""The shared persona description names a place once, whichever way the caller labels it."""

from synthsoc.persona.describe import describe_person


def test_place_from_separate_sido_and_sigungu_names() -> None:
    text = describe_person({"age": 40, "sido_name": "부산광역시", "sigungu_name": "중구"})
    assert "사는 곳: 부산광역시 중구" in text.splitlines()


def test_place_already_prefixed_by_its_sido_is_not_repeated() -> None:
    # survey respondents carry the unique "si-do si-gun-gu" label (issue 9)
    row = {"age": 40, "sido_name": "부산광역시", "sigungu_name": "부산광역시 중구"}
    text = describe_person(row)
    assert "사는 곳: 부산광역시 중구" in text.splitlines()
    assert text.count("부산광역시") == 1
