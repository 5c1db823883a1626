"""A whole knowledge base in a scratch directory, for the retrieval benchmarks."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory

from core.db import Database
from index.build import Sources, build_index
from index.search import Retriever
from index.store import IndexStore
from index.synonyms import SynonymMap
from index.tokenizer import Tokenizer
from knowledge.importer import import_statutes


@contextmanager
def scratch_retriever(laws: Path | None, embedding_model: str = "") -> Iterator[Retriever]:
    """The statutes under `laws` (none if None) with the bundled cards, policies and stations, indexed."""
    with TemporaryDirectory() as scratch:
        database = Database(f"sqlite:///{scratch}/bench.sqlite3")
        database.migrate()
        if laws is not None:
            import_statutes(database, [laws])
        store = IndexStore(Path(scratch) / "index")
        tokenizer = Tokenizer()
        build_index(database, store, Sources(), embedding_model=embedding_model, tokenizer=tokenizer)
        yield Retriever(store.current_dir(), tokenizer, SynonymMap.load())
        database.dispose()
