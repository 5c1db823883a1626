"""Keep this server's index on the knowledge version published in the database.

Servers share the database but not a filesystem: each one notices a newer published version (one
small query every couple of seconds, in a background thread), builds that version into its own data
directory — once per directory, whichever process gets the build lock — and the holder switches to it.
Answers keep coming from the old index meanwhile. Progress and failures go to the server's row in
`index_builds`.
"""

import logging
import socket
import threading
import time
from collections.abc import Callable

from core.db import Database
from core.index_status import BuildState, Progress, report
from core.knowledge_base import Head
from index.build import build_knowledge, published_head, published_knowledge
from index.dense import Encoder
from index.store import IndexStore, Manifest
from index.tokenizer import Tokenizer

log = logging.getLogger(__name__)
RETRY_FAILED_AFTER = 60.0
REPORT_EVERY = 0.5


class Follower:
    def __init__(
        self,
        database: Database,
        store: IndexStore,
        tokenizer: Tokenizer,
        encoder: Encoder,
        on_built: Callable[[], None],
        interval: float = 2.0,
    ) -> None:
        self.database = database
        self.store = store
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.on_built = on_built
        self.interval = interval
        self.server = f"{socket.gethostname()}:{store.root}"
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._failed: tuple[str, float] | None = None  # uid, when
        self._announced: str | None = None  # the uid last reported ready

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="knowledge-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def wake(self) -> None:
        """Look now rather than at the next tick (after a publish on this server)."""
        self._wake.set()

    def _run(self) -> None:
        failing = False
        while not self._stopped.is_set():
            try:
                self.catch_up()
                failing = False
            except Exception:  # the database may be briefly unreachable; the next tick tries again
                if not failing:
                    log.exception("checking the published knowledge version failed (logged once until it works)")
                failing = True
            self._wake.wait(self.interval)
            self._wake.clear()

    def catch_up(self) -> Manifest | None:
        """Build the published version if this directory's index holds another; None when nothing was built."""
        target = published_head(self.database)
        if target is None or self._failed_recently(target):
            return None
        if self._local_uid() == target.uid:
            self._announce(target)
            return None
        with self.store.build_lock():
            if self._local_uid() == target.uid:  # another process on this directory built it meanwhile
                self.on_built()
                return None
            manifest = self._build(target)
        if manifest is not None:
            self.on_built()
            self._announce(target)
        return manifest

    def _announce(self, target: Head) -> None:
        """Ready on `target`: reported once per version, also when the index was already up to date."""
        if self._announced != target.uid:
            self._report(target, Progress(BuildState.READY, "done", 100))
            self._announced = target.uid

    def _local_uid(self) -> str | None:
        manifest = self.store.current_manifest()
        return manifest.knowledge_uid if manifest else None

    def _failed_recently(self, target: Head) -> bool:
        return self._failed is not None and self._failed[0] == target.uid and (
            time.monotonic() - self._failed[1] < RETRY_FAILED_AFTER
        )

    def _build(self, target: Head) -> Manifest | None:
        started = time.monotonic()
        last = [0.0]

        def progress(step: str, percent: int) -> None:
            if time.monotonic() - last[0] >= REPORT_EVERY or step != "tokenise":
                last[0] = time.monotonic()
                self._report(target, Progress(BuildState.BUILDING, step, percent))

        try:
            knowledge = published_knowledge(self.database, number=target.number)
            manifest = build_knowledge(
                knowledge, self.store, self.encoder.model_name, self.tokenizer, lambda _: self.encoder, progress
            )
        except Exception as error:
            log.exception("building knowledge version %s failed", target.number)
            self._failed = (target.uid, time.monotonic())
            self._report(target, Progress(BuildState.FAILED, "failed", 0, f"{type(error).__name__}: {error}"))
            return None
        self._failed = None
        log.info("knowledge version %s built in %.1f s", target.number, time.monotonic() - started)
        return manifest

    def _report(self, target: Head, progress: Progress) -> None:
        try:
            with self.database.session() as session:
                report(session, self.server, target.number, progress)
        except Exception:  # progress is for people to look at; it must never stop a build
            log.warning("could not record index build progress", exc_info=True)
