"""The index being served: follows newly published versions and attaches the dense channel when ready.

A rebuild publishes a new version while the app keeps answering from the old one; the next
request after the switch loads the new version. Given the database, the holder also follows the
knowledge version published there (index.follower), building it locally in the background.
A slow or failing embedding model never blocks answering: it loads in the background and,
until then or for good, search is lexical.
"""

import logging
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

from core.db import Database
from index.dense import DenseUnavailable, Encoder
from index.draft import DraftIndex
from index.follower import Follower
from index.search import Retriever
from index.store import IndexStore
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer

log = logging.getLogger(__name__)


class IndexMissing(RuntimeError):
    pass


class DenseState(StrEnum):
    OFF = "off"
    LOADING = "loading"
    ON = "on"


@dataclass(frozen=True)
class DenseStatus:
    state: DenseState
    model: str | None
    reason: str | None


class IndexHolder:
    def __init__(
        self,
        store: IndexStore,
        embedding_model: str = "",
        tokenizer: Tokenizer | None = None,
        synonyms: SynonymMap | None = None,
        check_interval: float = 2.0,
        database: Database | None = None,
    ) -> None:
        self.store = store
        self.tokenizer = tokenizer or Tokenizer()
        self.synonyms = synonyms if synonyms is not None else SynonymMap.load()
        self.check_interval = check_interval
        self.encoder = Encoder(embedding_model)
        self._retriever: Retriever | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._loading = threading.Lock()
        self._encoder_state = DenseState.OFF if not embedding_model else DenseState.LOADING
        self._encoder_error: str | None = None if embedding_model else "EMBEDDING_MODEL is not set"
        self.follower: Follower | None = None
        self.draft: DraftIndex | None = None
        if database is not None:
            self.follower = Follower(database, store, self.tokenizer, self.encoder, lambda: self._refresh(force=True))
            self.draft = DraftIndex(database, store, self.tokenizer, self.synonyms)

    def start(self) -> None:
        """Warm the tokenizer and load what exists; start the embedding model loading in the background."""
        self.tokenizer.warm_up()
        self._refresh(force=True)
        if self.encoder.model_name:
            threading.Thread(target=self._load_encoder, name="dense-model", daemon=True).start()
        if self.follower is not None:
            self.follower.start()

    def stop(self) -> None:
        if self.follower is not None:
            self.follower.stop()

    def get(self) -> Retriever:
        self._refresh()
        retriever = self._retriever
        if retriever is None:
            raise IndexMissing("no index has been built yet: run `union-assistant index build`")
        return retriever

    def _refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < self.check_interval:
            return
        self._checked_at = now
        directory = self.store.current_dir()
        if directory is None or (self._retriever and self._retriever.directory == directory):
            return
        # Loading a large index takes a moment: one thread loads it while the others keep answering from
        # the old one (only while there is none yet do they wait).
        if not self._loading.acquire(blocking=self._retriever is None):
            return
        try:
            if self._retriever and self._retriever.directory == directory:
                return
            retriever = Retriever(directory, self.tokenizer, self.synonyms)
            with self._lock:
                self._attach_dense(retriever)
                self._retriever = retriever
        finally:
            self._loading.release()
        log.info("serving index %s %s", retriever.version, retriever.manifest.counts)

    def _load_encoder(self) -> None:
        try:
            self.encoder.load()
        except DenseUnavailable as error:
            self._encoder_state, self._encoder_error = DenseState.OFF, str(error)
            log.warning("dense retrieval off, answering lexical-only: %s", error)
            return
        self._encoder_state = DenseState.ON
        log.info("embedding model %s loaded", self.encoder.model_name)
        with self._lock:
            if self._retriever is not None:
                self._attach_dense(self._retriever)

    def _attach_dense(self, retriever: Retriever) -> None:
        if self._encoder_state == DenseState.ON and self._dense_mismatch(retriever) is None:
            retriever.attach_dense(self.encoder)

    def _dense_mismatch(self, retriever: Retriever) -> str | None:
        built_with = retriever.manifest.dense_model
        if built_with is None:
            return "the index was built without an embedding model; rebuild it"
        if built_with != self.encoder.model_name:
            return f"the index was built with {built_with}, EMBEDDING_MODEL is {self.encoder.model_name}; rebuild it"
        return None

    def dense_status(self) -> DenseStatus:
        model = self.encoder.model_name or None
        if self._encoder_state != DenseState.ON:
            return DenseStatus(self._encoder_state, model, self._encoder_error)
        retriever = self._retriever
        if retriever is not None and (reason := self._dense_mismatch(retriever)):
            return DenseStatus(DenseState.OFF, model, reason)
        return DenseStatus(DenseState.ON, model, None)
