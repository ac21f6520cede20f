"""docs/events is what `make schemas` writes from the contracts: a contract that changes without it fails here."""

from pathlib import Path

from claimstream_devtools.export import export

DOCS = Path(__file__).resolve().parents[3] / "docs" / "events"


def test_the_committed_event_schemas_match_the_contracts(tmp_path: Path) -> None:
    written = {path.name: path.read_text() for path in export(tmp_path)}
    committed = {path.name: path.read_text() for path in DOCS.glob("*.json")}
    assert sorted(committed) == sorted(written), "run `make schemas` and commit docs/events"
    stale = [name for name, text in written.items() if committed[name] != text]
    assert stale == [], f"run `make schemas` and commit docs/events: {stale}"
