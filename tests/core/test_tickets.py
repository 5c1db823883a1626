"""The ticket lifecycle and its history, on SQLite and (where available) PostgreSQL."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from core.clock import utcnow
from core.tickets import (
    Category,
    Deadline,
    Intake,
    Outcome,
    QueueFilter,
    Status,
    Ticket,
    TicketError,
    add_note,
    assign,
    close,
    find_ticket,
    open_load,
    open_ticket,
    queue,
    rate,
    ratings_by_mediator,
    start_mediation,
)
from core.users import Role, create_user

DEADLINE = Deadline(1, "Asia/Shanghai")


def intake(user: str = "w1", category: Category = Category.WAGES, area: str | None = "天津港片区") -> Intake:
    return Intake("wechat", user, category, "示例物流有限公司", "三个月没发工资", Decimal("24000"), "13812345678", "晚上", area)


def test_a_case_walks_its_whole_lifecycle_and_every_step_is_recorded(db) -> None:
    with db.session() as session:
        mediator = create_user(session, "zhang", "long enough", Role.MEDIATOR, "张调解")
        admin = create_user(session, "admin", "long enough", Role.ADMIN, "管理员")
        ticket = open_ticket(session, intake(), DEADLINE)
        assert ticket.number == f"WQ{utcnow().year}-{ticket.id:05d}"
        assert ticket.status == Status.NEW and ticket.first_response_due > ticket.created_at
        assign(ticket, mediator, admin)
        start_mediation(ticket, mediator)
        add_note(ticket, mediator, "已电话联系单位")
        close(ticket, Outcome.MEDIATED, Decimal("20000"), "分两期支付", mediator)
        rate(ticket, 5)
        ticket_id = ticket.id
    with db.session() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.status, ticket.outcome, ticket.amount_recovered, ticket.rating) == (
            Status.CLOSED, Outcome.MEDIATED, Decimal("20000.00"), 5
        )
        assert ticket.first_responded_at is not None and ticket.closed_at is not None
        history = [(e.kind, e.actor, e.from_status, e.to_status) for e in ticket.changes]
        assert history == [
            ("created", "worker", None, "new"),
            ("assigned", "管理员", "new", "assigned"),
            ("status", "张调解", "assigned", "in_mediation"),
            ("note", "张调解", None, None),
            ("status", "张调解", "in_mediation", "closed"),
            ("rating", "worker", None, None),
        ]
        assert "挽回金额 20000" in ticket.changes[4].text


def test_the_lifecycle_refuses_what_makes_no_sense(database) -> None:
    with database.session() as session:
        mediator = create_user(session, "zhang", "long enough", Role.MEDIATOR)
        ticket = open_ticket(session, intake(), DEADLINE)
        with pytest.raises(TicketError, match="no mediator"):
            start_mediation(ticket, mediator)
        with pytest.raises(TicketError, match="only closed"):
            rate(ticket, 4)
        with pytest.raises(TicketError, match="negative"):
            close(ticket, Outcome.MEDIATED, Decimal("-1"), "", mediator)
        close(ticket, Outcome.WITHDRAWN, None, "职工撤回", mediator)
        with pytest.raises(TicketError, match="closed"):
            assign(ticket, mediator, mediator)
        with pytest.raises(TicketError, match="1 to 5"):
            rate(ticket, 6)


def test_queue_is_oldest_first_with_filters_and_overdue_flags(database) -> None:
    with database.session() as session:
        mediator = create_user(session, "zhang", "long enough", Role.MEDIATOR)
        first = open_ticket(session, intake("a"), DEADLINE)
        open_ticket(session, intake("b", Category.WORK_INJURY, "天津机场片区"), DEADLINE)
        third = open_ticket(session, intake("c", Category.WORK_INJURY, None), DEADLINE)
        assign(third, mediator, mediator)
        session.execute(
            update(Ticket).where(Ticket.id == first.id).values(first_response_due=utcnow() - timedelta(hours=1))
        )
    with database.session() as session:
        assert [t.user_id for t in queue(session)] == ["a", "b", "c"]
        assert [t.user_id for t in queue(session, QueueFilter(category=Category.WORK_INJURY))] == ["b", "c"]
        assert [t.user_id for t in queue(session, QueueFilter(area="天津机场片区"))] == ["b"]
        assert [t.user_id for t in queue(session, QueueFilter(status=Status.ASSIGNED))] == ["c"]
        overdue = queue(session, QueueFilter(overdue=True))
        assert [t.user_id for t in overdue] == ["a"] and overdue[0].overdue()
        assert open_load(session) == {mediator.id: 1}
        assert find_ticket(session, first.number.lower()).id == first.id


def test_ratings_per_mediator(database) -> None:
    with database.session() as session:
        zhang = create_user(session, "zhang", "long enough", Role.MEDIATOR)
        for score in (5, 3):
            ticket = open_ticket(session, intake(), DEADLINE)
            assign(ticket, zhang, zhang)
            close(ticket, Outcome.FAILED, None, "", zhang)
            rate(ticket, score)
    with database.session() as session:
        assert ratings_by_mediator(session) == {zhang.id: (4.0, 2)}


def test_queue_finds_a_case_by_number_phone_employer_or_name_as_typed(db) -> None:
    with db.session() as session:
        first = open_ticket(session, intake("a"), DEADLINE)  # 示例物流有限公司, 13812345678
        first.worker_name = "刘师傅"
        second = open_ticket(session, intake("b"), DEADLINE)
        second.employer, second.phone = "天津示例港务有限公司", "13900001234"
        third = open_ticket(session, intake("c"), DEADLINE)
        third.employer, third.phone = "100%纯净水厂", "13700005678"
        close(third, Outcome.WITHDRAWN, None, "职工撤回", None)
        numbers = {first.number: "a", second.number: "b", third.number: "c"}

    def found(text: str, **more: object) -> list[str]:
        with db.session() as session:
            return [t.user_id for t in queue(session, QueueFilter(text=text, **more))]

    assert found(second.number.lower()) == ["b"] and found(f"{third.id:05d}") == ["c"]
    assert found("WQ") == ["a", "b", "c"] == list(numbers.values())
    assert found("港务") == ["b"] and found("示例") == ["a", "b"]
    assert found("刘师傅") == ["a"] and found(" 刘 ") == ["a"]
    for typed in ("13900001234", "139 0000 1234", "139-0000-1234", "+86 139 0000 1234", "1234"):
        assert found(typed) == ["b"], typed
    assert found("5678") == ["a", "c"], "the last four digits of two phones"
    assert found("3456") == [] and found("567") == [], "middle digits or fewer than four are not a phone"
    assert found("%") == ["c"] and found("_") == [], "wildcards are searched as typed"
    assert found("5678", open_only=True) == ["a"] and found("5678", status=Status.CLOSED) == ["c"]
    assert found("") == found("  ") == ["a", "b", "c"]
    assert found("没有这个单位") == []
