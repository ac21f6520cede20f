"""Text at the X12 boundary: transliterated, delimiter-free, refused only when nothing would be left."""

import pytest
from claimstream_platform.x12 import Delimiters, Segment
from claimstream_platform.x12.text import refuse_unwritable, x12_text


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("Muñoz", "MUNOZ"),
        ("José Ángel", "JOSE ANGEL"),
        ("Strauß", "STRAUSS"),
        ("Łukasz Øster", "LUKASZ OSTER"),
        ("O’Brien", "O'BRIEN"),
        ("Smith*NM1*IL~HL", "SMITH NM1 IL HL"),  # a forged segment becomes words
        ("A:B^C", "A B C"),
        ("tab\there\x00nul\x1fend", "TAB HERE NUL END"),
        ("  many   spaces  ", "MANY SPACES"),
        ("張偉", ""),
        ("90837", "90837"),
    ],
)
def test_x12_text(given: str, written: str) -> None:
    assert x12_text(given) == written


def test_a_segment_never_writes_a_delimiter_from_a_value() -> None:
    segment = Segment.of("NM1", "IL", "1", "Doe~ST*837", "Ann:Marie^X", ("HC", "90837:95"))
    rendered = segment.render(Delimiters())
    assert rendered == "NM1*IL*1*DOE ST 837*ANN MARIE X*HC:90837 95~"
    assert Segment.of("SV1", ("HC", "90837", "", "")).get(1) == "HC:90837"


def test_composites_follow_the_interchange_delimiters() -> None:
    segment = Segment.of("SV1", ("HC", "90837", "95"), "100")
    assert segment.render(Delimiters(element="|", component=">", segment="\n")) == "SV1|HC>90837>95|100\n"


@pytest.mark.parametrize("bad", ["nul\x00", "bell\x07", "張偉"])
def test_api_text_that_x12_cannot_carry_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        refuse_unwritable(bad)


def test_api_text_that_x12_can_carry_is_kept_as_given() -> None:
    assert refuse_unwritable("Muñoz") == "Muñoz"


def test_an_interchange_claiming_too_many_segments_is_refused_before_it_is_split() -> None:
    from claimstream_platform.x12 import X12Error, parse_interchange

    text = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261201*1200*^*00501*000000001*0*P*:~"
    with pytest.raises(X12Error, match="more than 3 segments"):
        parse_interchange(text + "GS*HC~" * 5, max_segments=3)
