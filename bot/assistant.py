"""Question in, answer out: the one entry point the CLI, the HTTP API and the chat engine share."""

from bot.answer import Answer, compose
from core.db import Database
from core.settings import Settings
from core.wording import render
from index.holder import IndexHolder
from index.search import SearchResult
from index.store import IndexStore

QUOTE_LIMIT = 400


class Assistant:
    def __init__(self, holder: IndexHolder) -> None:
        self.holder = holder

    @classmethod
    def from_settings(cls, settings: Settings, database: Database | None = None) -> "Assistant":
        """With the database, the index follows the knowledge version published there."""
        return cls(IndexHolder(IndexStore(settings.index_dir), settings.embedding_model, database=database))

    def start(self) -> None:
        self.holder.start()

    def stop(self) -> None:
        self.holder.stop()

    def search(self, question: str, k: int = 10) -> SearchResult:
        return self.holder.get().search(question, k)

    def ask(self, question: str) -> Answer:
        return compose(self.search(question))


def format_answer(answer: Answer, quote_limit: int = QUOTE_LIMIT) -> str:
    """The whole answer as one text: summary, quoted articles, next step."""
    return render("answer.j2", answer=answer, quote_limit=quote_limit)
