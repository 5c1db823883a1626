"""An index of the unpublished draft, so admins can try a question against their edits before publishing.

Built on demand into its own directory beside the served index, and again only when the draft has
changed since; it shares the served index's token cache, so only edited passages are segmented.
"""

import threading
from pathlib import Path

from core.db import Database
from index.build import CACHE, build_knowledge, draft_knowledge, fingerprint
from index.cache import PassageCache
from index.search import Retriever
from index.store import IndexStore
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer


class DraftIndex:
    def __init__(self, database: Database, served: IndexStore, tokenizer: Tokenizer, synonyms: SynonymMap) -> None:
        self.database = database
        self.store = IndexStore(served.root.with_name(f"{served.root.name}-draft"))
        self.cache_path: Path = served.root / CACHE
        self.tokenizer = tokenizer
        self.synonyms = synonyms
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()

    def retriever(self) -> Retriever:
        """Lexical only: a draft preview need not wait for embeddings."""
        knowledge = draft_knowledge(self.database)
        stamp = fingerprint(knowledge.passages)
        with self._lock:
            if self._retriever is None or not self._retriever.version.endswith(stamp):
                with self.store.build_lock():
                    build_knowledge(
                        knowledge, self.store, tokenizer=self.tokenizer, cache=PassageCache(self.cache_path)
                    )
                self._retriever = Retriever(self.store.current_dir(), self.tokenizer, self.synonyms)
            return self._retriever
