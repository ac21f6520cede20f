"""YAML as the generators write it (docker-compose.yml, the demo's kustomization): every value in full where it is
used (no anchors), and text of several lines as a block, as a person would write it."""

from typing import Any

import yaml


class _Written(yaml.SafeDumper):  # type: ignore[misc]  # PyYAML ships no types here
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Written.add_representer(str, _text)


def written(document: Any) -> str:
    out: str = yaml.dump(document, Dumper=_Written, sort_keys=False, width=120)
    return out
