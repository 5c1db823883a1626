"""Index versions on disk: each build goes to its own directory, then one atomic rename publishes it.

Readers only ever follow CURRENT, so a build never disturbs the index being served.
"""

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
KEEP_VERSIONS = 3


@dataclass(frozen=True)
class Manifest:
    version: str
    created_at: str
    counts: dict[str, int]
    dense_model: str | None = None
    dense_dimension: int | None = None
    dense_note: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    knowledge_version: int | None = None  # the published knowledge version (core.knowledge_base) it holds
    knowledge_uid: str | None = None


class IndexStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = root / "versions"

    def current_version(self) -> str | None:
        try:
            version = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return version if version and (self.versions / version / MANIFEST).is_file() else None

    def current_dir(self) -> Path | None:
        version = self.current_version()
        return self.versions / version if version else None

    def current_manifest(self) -> Manifest | None:
        directory = self.current_dir()
        return read_manifest(directory) if directory else None

    @contextmanager
    def build_lock(self) -> Iterator[None]:
        """One build at a time among the processes sharing this directory (app workers, the CLI)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".build.lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def staging_dir(self) -> Path:
        self.versions.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".building-", dir=self.versions))

    def publish(self, staging: Path, manifest: Manifest) -> Path:
        (staging / MANIFEST).write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2), encoding="utf-8")
        final = self.versions / manifest.version
        os.rename(staging, final)
        pointer = self.root / f".{CURRENT}.tmp"
        pointer.write_text(manifest.version, encoding="utf-8")
        with pointer.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer, self.root / CURRENT)
        self._prune(keep=manifest.version)
        return final

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def _prune(self, keep: str) -> None:
        """Older versions stay a while for readers that have not switched yet."""
        built = sorted(path for path in self.versions.iterdir() if path.is_dir() and not path.name.startswith("."))
        for path in built[:-KEEP_VERSIONS]:
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)


def read_manifest(directory: Path) -> Manifest:
    return Manifest(**json.loads((directory / MANIFEST).read_text(encoding="utf-8")))
