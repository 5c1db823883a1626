"""After a case is closed the worker is asked to rate the help, 1 to 5."""

from dataclasses import dataclass
from enum import StrEnum

from bot.flows.base import Turn, state_of
from bot.replies import say
from core.messages import Reply
from core.casework import RATING_FLOW
from core.tickets import Ticket, TicketError, rate


class RatingStep(StrEnum):
    AWAIT = "await"


@dataclass
class Rating:
    """Set by the mediator's closing of the case (core.casework), which enters this flow."""

    ticket_id: int = 0
    number: str = ""


class RatingFlow:
    """Entered only by the closing of a case, which sends the prompt itself: no command starts it."""

    name = RATING_FLOW

    def handle(self, turn: Turn) -> list[Reply] | None:
        """Anything but a score leaves the flow and is handled as a normal message."""
        text = turn.text.strip().removesuffix("分")
        ticket = turn.session.get(Ticket, state_of(turn, Rating).ticket_id)
        turn.conversation.leave()
        if ticket is None or not text.isdigit():
            return None
        try:
            rate(ticket, int(text))
        except TicketError:
            return None
        return [say("rating_thanks.j2", score=int(text))]
