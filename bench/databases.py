"""Seeded template databases, copied fresh for every measurement so smsbot and its floor start alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import OUT, PREFIX, copy_sqlite, create_pg, drop_pg, migrate, pg_url
from bench.seed import seed

KINDS = ("sqlite", "pg")


@dataclass(frozen=True)
class Template:
    kind: str  # sqlite or pg
    name: str

    @property
    def path(self) -> Path:
        return OUT / f"{self.name}.sqlite3"

    @contextmanager
    def copy(self) -> Iterator[str]:
        """A fresh copy of the template, removed afterwards; yields its plain URL."""
        if self.kind == "sqlite":
            target = OUT / f"{self.name}-run.sqlite3"
            yield copy_sqlite(self.path, target)
            for suffix in ("", "-wal", "-shm", "-writer.lock"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            return
        run = f"{PREFIX}{self.name}_run"
        yield create_pg(run, template=PREFIX + self.name)
        drop_pg(run)


@contextmanager
def template(kind: str, name: str, applications: int) -> Iterator[Template]:
    """A migrated database holding `applications` seeded applications, dropped afterwards."""
    OUT.mkdir(parents=True, exist_ok=True)
    made = Template(kind, name)
    if kind == "sqlite":
        made.path.unlink(missing_ok=True)
        url = f"sqlite:///{made.path}"
    else:
        url = create_pg(PREFIX + name)
    migrate(url)
    seed(url if kind == "sqlite" else pg_url(PREFIX + name), applications)
    try:
        yield made
    finally:
        if kind == "sqlite":
            made.path.unlink(missing_ok=True)
        else:
            drop_pg(PREFIX + name)
