"""Question in, answer out: the one entry point the CLI, the HTTP API and the chat engine share."""

from bot.answer import Answer, compose
from core.db import Database
from core.settings import Settings
from core.wording import render
from index.holder import IndexHolder
from index.search import SearchResult
from index.store import IndexStore

QUOTE_LIMIT = 400
SEARCHED_CHARS = 2000


class Assistant:
    def __init__(self, holder: IndexHolder, searched_chars: int = SEARCHED_CHARS) -> None:
        self.holder = holder
        self.searched_chars = searched_chars

    @classmethod
    def from_settings(cls, settings: Settings, database: Database | None = None) -> "Assistant":
        """With the database, the index follows the knowledge version published there."""
        holder = IndexHolder(IndexStore(settings.index_dir), settings.embedding_model, database=database)
        return cls(holder, settings.searched_chars)

    def start(self) -> None:
        self.holder.start()

    def stop(self) -> None:
        self.holder.stop()

    def searched(self, text: str) -> str:
        """What of a message is searched: its start. Segmenting is linear but slow in pure Python, and a
        pasted 40,000-character story would hold a worker thread (and the GIL) for seconds."""
        return text[: self.searched_chars]

    def is_long(self, text: str) -> bool:
        return len(text) > self.searched_chars

    def search(self, question: str, k: int = 10) -> SearchResult:
        return self.holder.get().search(self.searched(question), k)

    def ask(self, question: str) -> Answer:
        return compose(self.search(question))


def format_answer(answer: Answer, quote_limit: int = QUOTE_LIMIT) -> str:
    """The whole answer as one text: summary, quoted articles, next step."""
    return render("answer.j2", answer=answer, quote_limit=quote_limit)
