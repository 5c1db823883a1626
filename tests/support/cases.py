"""A dispute case as the intake flow files it, already assigned to a mediator."""

from core.db import Database
from core.tickets import Deadline, Intake, assign, open_ticket
from core.users import Role, create_user


def assigned_case(database: Database, channel: str, user_id: str, mediator: str, display_name: str) -> tuple[int, int]:
    """The ticket id and the mediator's user id."""
    with database.session() as session:
        person = create_user(session, mediator, "long enough", Role.MEDIATOR, display_name)
        intake = Intake(channel, user_id, "wages", "示例公司", "两个月没发工资", None, "13812345678", "晚上", None)
        ticket = open_ticket(session, intake, Deadline(1, "Asia/Shanghai"))
        assign(ticket, person, person)
        return ticket.id, person.id
