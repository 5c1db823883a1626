"""我的工单: the worker's cases and their status; adding information to an open case."""

from dataclasses import dataclass
from enum import StrEnum

from bot.flows.base import Turn, keep, state_of
from core.messages import Button, Reply
from bot.replies import say
from core.tickets import Category, Outcome, Status, Ticket, record_worker_message, tickets_of

ADD = Button("补充情况", "补充情况")
SHOWN = 5


class CasesStep(StrEnum):
    MENU = "menu"
    ADDING = "adding"


@dataclass
class OpenCase:
    ticket_id: int
    number: str


class CasesFlow:
    name = "my_cases"

    def start(self, turn: Turn) -> list[Reply]:
        tickets = tickets_of(turn.session, turn.message.channel, turn.message.user_id)[:SHOWN]
        if not tickets:
            return [say("cases_none.j2")]
        latest_open = next((t for t in tickets if t.is_open), None)
        if latest_open is not None:
            keep(turn, self.name, CasesStep.MENU, OpenCase(latest_open.id, latest_open.number))
        rows = [_row(ticket) for ticket in tickets]
        return [say("cases_list.j2", (ADD,) if latest_open else (), tickets=rows, can_add=latest_open is not None)]

    def handle(self, turn: Turn) -> list[Reply] | None:
        case = state_of(turn, OpenCase)
        if turn.conversation.step == CasesStep.MENU:
            if turn.text.strip() != ADD.payload:
                turn.conversation.leave()
                return None
            keep(turn, self.name, CasesStep.ADDING, case)
            return [say("cases_add_prompt.j2", number=case.number)]
        ticket = turn.session.get(Ticket, case.ticket_id)
        if not turn.text.strip():
            return [say("cases_add_empty.j2")]
        turn.conversation.leave()
        if ticket is None or not ticket.is_open:
            return self.start(turn)
        record_worker_message(ticket, turn.text.strip(), added_info=True)
        keep(turn, self.name, CasesStep.MENU, OpenCase(ticket.id, ticket.number))
        return [say("cases_added.j2", (ADD,), number=ticket.number)]


def _row(ticket: Ticket) -> dict[str, str | None]:
    return {
        "number": ticket.number,
        "category_label": Category(ticket.category).label,
        "status_label": Status(ticket.status).label,
        "outcome_label": Outcome(ticket.outcome).label if ticket.outcome else None,
        "mediator": ticket.assignee.display_name if ticket.assignee else None,
    }
