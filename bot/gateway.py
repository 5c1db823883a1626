"""Every channel's way into the engine: a platform's delivery claimed once, the engine's replies (an apology
when the engine fails, never silence or an error), and the outcome recorded for the platform's retries.

The channels differ only around this: WeChat must answer within seconds and hands retries the stored
passive texts, Telegram sends the replies itself, and the web chat has no retries to claim.

Feedback lives here too, once for every channel: an answer gets 有用 / 没用 buttons (`bot.feedback`), and
the word, typed or pressed, rates the worker's latest answer and is thanked without reaching the engine.
"""

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.assistant import Assistant
from bot.engine import Engine
from bot.feedback import asking_feedback, feedback_word
from bot.replies import say
from core import idempotency
from core.clock import utcnow
from core.conversations import find_conversation
from core.db import Database
from core.feedback import answered_since, feedback_on_last_answer
from core.idempotency import ClaimState
from core.logs import mask_user_id
from core.messages import Inbound, InboundKind, Reply
from core.transcript import Author, record_line

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Handled:
    replies: list[Reply]
    stored: list[Any] | None = None  # what a retry of the same delivery is answered with


@dataclass
class Gateway:
    engine: Engine
    database: Database
    assistant: Assistant  # how much of a message is searched, for the note on a long one

    def handle(self, inbound: Inbound) -> list[Reply]:
        """The engine's replies, an answer with the feedback buttons under it and a note after them when the
        message was too long to search whole; the thanks for a worker's 有用 / 没用; when anything fails, an
        apology the worker can act on."""
        try:
            thanks = self._feedback(inbound)
            if thanks is not None:
                return thanks
            started = utcnow()
            replies = self.engine.handle(inbound)
            if replies and self._answered(inbound, started):
                replies[-1] = asking_feedback(replies[-1])
            return replies + self._long_note(inbound) if replies else replies
        except Exception:
            logger.exception(
                "engine failed on a %s %s from %s", inbound.channel, inbound.kind, mask_user_id(inbound.user_id)
            )
            return [say("sorry.j2")]

    def _feedback(self, inbound: Inbound) -> list[Reply] | None:
        """The thanks when the worker's message is only 有用 / 没用 and there is an answer to rate; None
        otherwise, and while a mediator holds the conversation (the word is then the mediator's to read)."""
        helpful = feedback_word(inbound.text) if inbound.kind is InboundKind.TEXT else None
        if helpful is None:
            return None
        with self.database.write_session() as session:
            conversation = find_conversation(session, inbound.channel, inbound.user_id)
            if conversation is not None and conversation.handoff_ticket_id is not None:
                return None
            if feedback_on_last_answer(session, inbound.channel, inbound.user_id, helpful) is None:
                return None
            thanks = say("feedback_thanks.j2", helpful=helpful)
            record_line(session, inbound.channel, inbound.user_id, Author.WORKER, inbound.text.strip())
            record_line(session, inbound.channel, inbound.user_id, Author.BOT, thanks.text)
        return [thanks]

    def _answered(self, inbound: Inbound, since: datetime) -> bool:
        with self.database.session() as session:
            return answered_since(session, inbound.channel, inbound.user_id, since)

    def _long_note(self, inbound: Inbound) -> list[Reply]:
        if inbound.kind is not InboundKind.TEXT or not self.assistant.is_long(inbound.text):
            return []
        return [say("long_message.j2", length=len(inbound.text), searched=self.assistant.searched_chars)]

    def handle_once(
        self,
        key: str,
        inbound: Inbound,
        *,
        stored: Callable[[list[Reply]], list[Any]] | None = None,
        until: float = math.inf,
    ) -> Handled | None:
        """The replies to a delivery the platform may repeat; None when `key` (the platform's id of the
        delivery) was claimed before, here or at another app worker.

        `stored` makes what retries are answered with from the replies. It is recorded only before `until`
        (a `time.monotonic()` deadline): after it the answer goes out another way, and a retry that found
        it stored would deliver it twice.
        """
        if not idempotency.claim(self.database, key):
            return None
        replies = self.handle(inbound)
        kept = stored(replies) if stored is not None else None
        if time.monotonic() < until:
            self.finish(key, ClaimState.ANSWERED, kept, unless_settled=True)
        return Handled(replies, kept)

    def finish(self, key: str, status: ClaimState, stored: list[Any] | None = None, *, unless_settled: bool = False) -> None:
        """The outcome for retries; failing to record it must not cost the worker the answer."""
        try:
            idempotency.finish(self.database, key, status, stored, unless_settled=unless_settled)
        except SQLAlchemyError as error:
            logger.warning("could not record the outcome of %s (%s); a retry will find it unanswered", key, error)
