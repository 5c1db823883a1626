"""New-ticket notices delivered to a real local SMTP server and a local WeCom-robot endpoint."""

from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request

from core.notifications import TicketNotice, deliver, notifiers, ticket_notifier
from core.tickets import Deadline, Intake, open_ticket
from support.knowledge import make_settings
from support.server import free_port, serving


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, mailbox
    controller.stop()


@pytest.fixture
def robot():
    received: list[dict] = []
    app = FastAPI()

    @app.post("/cgi-bin/webhook/send")
    async def send(request: Request) -> dict:
        received.append(await request.json())
        return {"errcode": 0, "errmsg": "ok"}

    @app.post("/refuse")
    async def refuse() -> dict:
        return {"errcode": 93000, "errmsg": "invalid webhook url"}

    with serving(app) as url:
        yield url, received


def new_ticket(database):
    with database.session() as session:
        intake = Intake("web", "w", "work_injury", "示例厂", "干活时手被压伤", None, "13812345678", "随时", "天津港片区")
        return open_ticket(session, intake, Deadline(1, "Asia/Shanghai"))


def test_email_and_wecom_robot_both_receive_the_notice(database, smtp, robot, tmp_path: Path) -> None:
    port, mailbox = smtp
    url, received = robot
    settings = make_settings(
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=port,
        mediator_emails=["mediators@example.org"],
        wecom_robot_url=f"{url}/cgi-bin/webhook/send?key=abc",
        public_base_url="https://assistant.example.org",
    )
    ticket = new_ticket(database)
    ticket_notifier(settings, background=False)(ticket)
    [raw] = mailbox.messages
    email = message_from_bytes(raw)
    assert str(make_header(decode_header(email["Subject"]))) == f"【新维权工单】{ticket.number} 工伤"
    body = email.get_payload(decode=True).decode()
    assert "片区：天津港片区" in body and f"/console/tickets/{ticket.id}" in body
    assert "13812345678" not in body
    [message] = received
    assert message["msgtype"] == "markdown" and ticket.number in message["markdown"]["content"]


def test_a_failing_channel_does_not_stop_the_others(database, smtp, robot, tmp_path: Path, caplog) -> None:
    port, mailbox = smtp
    url, _ = robot
    settings = make_settings(
        tmp_path, smtp_host="127.0.0.1", smtp_port=port, mediator_emails=["m@example.org"], wecom_robot_url=f"{url}/refuse"
    )
    targets = list(reversed(notifiers(settings)))
    deliver(targets, TicketNotice.of(new_ticket(database), settings))
    assert len(mailbox.messages) == 1
    assert "93000" in caplog.text


def test_nothing_configured_means_no_notifiers(tmp_path: Path) -> None:
    assert notifiers(make_settings(tmp_path)) == []
