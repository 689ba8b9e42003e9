"""The tree reads as the flow (README, "Layout"): a folder imports only from the folders after it, never from
one before it, so following an inbound SMS or a staff reply never turns back up the tree."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "smsbot"
# The flow, first to last; folders on one rank may use each other.
RANKS = {"web": 0, "intake": 1, "staff": 1, "conversation": 2, "events": 3, "delivery": 3, "models": 4}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _folder(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "smsbot" and parts[1] in RANKS else None


def test_no_folder_imports_from_a_folder_before_it() -> None:
    backwards = []
    for folder, rank in RANKS.items():
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            for module in _imports(path):
                target = _folder(module)
                if target is not None and RANKS[target] < rank:
                    backwards.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert backwards == []
