"""A minimal PDF writer of our own, pure: lines of text in 11-point Helvetica on letter pages (appeal letters,
Good Faith Estimates). Text is written in the PDF's standard Helvetica (Latin-1); anything else is replaced, never
dropped silently."""

PAGE_WIDTH, PAGE_HEIGHT, MARGIN, LEADING = 612, 792, 72, 15
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN) // LEADING
WRAP = 90  # characters per line of 11-point Helvetica across a letter page, near enough


def render_pdf(lines: list[str]) -> bytes:
    """A PDF 1.4 document: the lines in 11-point Helvetica, as many letter pages as they need."""
    pages = [lines[n : n + LINES_PER_PAGE] for n in range(0, max(len(lines), 1), LINES_PER_PAGE)]
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for page in pages:
        text = "".join(f"({_escaped(line)}) Tj T* " for line in page)
        stream = f"BT /F1 11 Tf {LEADING} TL {MARGIN} {PAGE_HEIGHT - MARGIN} Td {text}ET"
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
        content = len(objects)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    return _document(objects)


def _document(objects: list[str]) -> bytes:
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    start = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode()
    return bytes(out)


def _escaped(line: str) -> str:
    latin = line.encode("latin-1", "replace").decode("latin-1")
    printable = "".join(c if " " <= c <= "~" or c >= "\xa0" else "?" for c in latin)
    return printable.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def wrap(line: str) -> list[str]:
    """The line cut at spaces into lines that fit the page."""
    if len(line) <= WRAP:
        return [line]
    cut = line.rfind(" ", 0, WRAP)
    cut = cut if cut > 0 else WRAP
    return [line[:cut], *wrap(line[cut:].lstrip())]
