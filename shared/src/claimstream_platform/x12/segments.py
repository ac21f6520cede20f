"""Segments and delimiters."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from claimstream_platform.x12.text import x12_text

COMPONENT = ":"  # how a written segment holds a composite until it is rendered with the interchange's delimiters


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


class Segment(NamedTuple):
    """One segment: its tag and its elements (element 1 is `elements[0]`, as X12 counts from 1). A named tuple,
    not a dataclass: a large 835 has hundreds of thousands, and a frozen dataclass costs several times more to
    make."""

    tag: str
    elements: tuple[str, ...]
    position: int = 0  # 1-based position in the interchange, for error messages

    @classmethod
    def of(cls, tag: str, *elements: object) -> "Segment":
        """Build a segment for writing. Every value passes `x12_text`, so no input can write a delimiter; a
        composite is given as a tuple of its components. Trailing empty elements are dropped, as X12 requires."""
        values = [x12_text(e) if type(e) is str else _element(e) for e in elements]  # str first: the common case
        while values and values[-1] == "":
            values.pop()
        return cls(tag, tuple(values))

    def get(self, number: int, default: str = "") -> str:
        """Element `number` (1-based), or `default` when absent."""
        return self.elements[number - 1] if 0 < number <= len(self.elements) else default

    def component(self, number: int, part: int, delimiters: Delimiters, default: str = "") -> str:
        parts = self.get(number).split(delimiters.component)
        return parts[part - 1] if 0 < part <= len(parts) and parts[part - 1] else default

    def render(self, delimiters: Delimiters) -> str:
        elements: Sequence[str] = self.elements
        if self.position == 0 and delimiters.component != COMPONENT:  # written here: ":" separates components
            elements = [e.replace(COMPONENT, delimiters.component) for e in elements]
        return delimiters.element.join((self.tag, *elements)) + delimiters.segment


def _element(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        components = [_element(part) for part in value]
        while components and components[-1] == "":
            components.pop()
        return COMPONENT.join(components)
    return x12_text(str(value))


def amount(value: Decimal) -> str:
    """An X12 monetary amount (R type): cents at most, no trailing zeros after the point, never a float."""
    text = str(value.quantize(Decimal("0.01")))
    return text.rstrip("0").rstrip(".") if "." in text else text
