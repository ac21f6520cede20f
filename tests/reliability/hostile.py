"""Scenario 15's inputs: an 835 far past every cap, one that is small but claims or holds a million segments, a
JSON body past an ordinary route's cap and one within the batch route's, and JSON nested deeper than any parser
follows. Each is made as text at once (no X12 writer: a hostile sender does not use one)."""

import asyncio
from collections.abc import Iterator
from urllib.parse import urlsplit

from remits import PAYEE_NPI

MB = 1024 * 1024
ISA = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*CLAIMSTREAM    *261120*0930*^*00501*000000911*0*P*:~\n"
HEADER = (
    "GS*HP*CLEARINGHOUSE*CLAIMSTREAM*20261120*0930*911*X*005010X221A1~\nST*835*0001~\n"
    "BPR*I*1*C*ACH*CCP*01*999999992*DA*1234567890*1123456789**01*999988880*DA*9876543210*20261120~\n"
    "TRN*1*{trace}*1123456789~\nN1*PR*SIMULATED STATE MEDICAID~\nN3*1 PAYER PLAZA~\nN4*SALEM*OR*97301~\n"
    f"PER*BL*PROVIDER SERVICES*TE*8005550199~\nN1*PE*PRACTICE BEHAVIORAL HEALTH*XX*{PAYEE_NPI}~\n"
)
HEADER_SEGMENTS = 8  # ST to the payee's N1


def _interchange(body: str, segments: int, *, trace: str, claimed: int | None = None) -> str:
    count = claimed if claimed is not None else segments + HEADER_SEGMENTS + 1
    return f"{ISA}{HEADER.format(trace=trace)}{body}SE*{count}*0001~\nGE*1*911~\nIEA*1*000000911~\n"


def fat_835(size: int, trace: str) -> str:
    """An 835 of about `size` bytes in fat claims (a name of a thousand characters each): far fewer segments than
    the reader's cap, so only a cap on the bytes keeps it from being read whole."""
    claim = (
        "LX*1~\nCLP*NOSUCHCLAIM*1*100*80**MC*HOSTILE*11*1~\n"
        f"NM1*QC*1*{'X' * 1000}*LEE****MI*M12345~\nSVC*HC:90837*100*80**1~\nDTM*472*20261110~\nCAS*CO*45*20~\n"
    )
    count = size // len(claim)
    return _interchange(claim * count, 6 * count, trace=trace)


def a_million_segments(trace: str) -> str:
    """Three megabytes, within the upload's cap, of a million and one empty segments."""
    return _interchange("N3~" * 1_000_001, 1_000_001, trace=trace)


def trailers_claiming_a_million(trace: str) -> str:
    """A small 835 whose SE trailer claims a million segments."""
    return _interchange("LX*1~\n", 1, trace=trace, claimed=1_000_000)


def json_of(size: int) -> bytes:
    """A JSON object of `size` bytes: one visit whose id is a string that long."""
    return b'{"encounters": [{"external_id": "' + b"x" * (size - 40) + b'"}]}'


def nested(depth: int) -> bytes:
    """JSON arrays nested `depth` deep, under an object's key, as a route's body."""
    return b'{"encounters": [' + b"[" * depth + b"]" * depth + b"]}"


def in_chunks(body: bytes, size: int = 256 * 1024) -> Iterator[bytes]:
    """The body as a stream of unknown length (chunked), as a client that sends no Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def sent_until_answered(url: str, headers: dict[str, str], body: bytes, *, chunked: bool) -> tuple[int, int]:
    """POST `body` over a connection of our own, a chunk at a time, stopping as soon as the server answers (it may
    answer before it read the body, as it should for a body past its cap): its status, and how many of the body's
    bytes had been sent by then."""
    where = urlsplit(url)
    reader, writer = await asyncio.open_connection(where.hostname, where.port)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}"
    lines = [f"POST {where.path} HTTP/1.1", f"Host: {where.netloc}", length, *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    answer, sent = asyncio.create_task(reader.readline()), 0
    try:
        for chunk in in_chunks(body):
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
            drained = asyncio.create_task(writer.drain())
            await asyncio.wait([answer, drained], timeout=30, return_when=asyncio.FIRST_COMPLETED)
            if answer.done() or (drained.done() and drained.exception() is not None):
                drained.cancel()  # the server answered (or closed the connection): the rest is not sent
                break
            sent += len(chunk)
        else:
            writer.write(b"0\r\n\r\n" if chunked else b"")
    except ConnectionError:
        pass  # the server answered and closed the connection while we were still sending
    status = await asyncio.wait_for(answer, timeout=30)
    writer.close()
    return int(status.split()[1]), sent
