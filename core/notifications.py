"""New-ticket notices to mediators by e-mail (SMTP) and a WeCom group robot, sent off the request path.

A notice carries the case number, type, area and due time: enough to act, nothing personal.
"""

import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from core.clock import local
from core.settings import Settings
from core.tickets import Category, Ticket
from core.wording import render

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketNotice:
    number: str
    category: str
    area: str
    due: str
    link: str | None

    @classmethod
    def of(cls, ticket: Ticket, settings: Settings) -> "TicketNotice":
        due = local(ticket.first_response_due, settings.timezone)
        base = settings.public_base_url.rstrip("/")
        return cls(
            number=ticket.number or "",
            category=Category(ticket.category).label,
            area=ticket.area or "未填写",
            due=f"{due:%Y-%m-%d %H:%M}",
            link=f"{base}/console/tickets/{ticket.id}" if base else None,
        )


class Notifier(Protocol):
    def send(self, notice: TicketNotice) -> None: ...


class EmailNotifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send(self, notice: TicketNotice) -> None:
        config = self.settings
        message = EmailMessage()
        message["Subject"] = render("notice_subject.j2", notice=notice)
        message["From"] = config.smtp_sender
        message["To"] = ", ".join(config.mediator_emails)
        message.set_content(render("notice_body.j2", notice=notice))
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=10) as smtp:
            if config.smtp_starttls:
                smtp.starttls()
            if config.smtp_user:
                smtp.login(config.smtp_user, config.smtp_password)
            smtp.send_message(message)


class WeComRobotNotifier:
    def __init__(self, url: str) -> None:
        self.url = url

    def send(self, notice: TicketNotice) -> None:
        body = {"msgtype": "markdown", "markdown": {"content": render("notice_body.j2", notice=notice)}}
        response = httpx.post(self.url, json=body, timeout=10)
        response.raise_for_status()
        result = response.json()
        if result.get("errcode", 0) != 0:
            raise RuntimeError(f"WeCom robot refused the notice: {result.get('errcode')} {result.get('errmsg')}")


def notifiers(settings: Settings) -> list[Notifier]:
    found: list[Notifier] = []
    if settings.smtp_host and settings.mediator_emails:
        found.append(EmailNotifier(settings))
    if settings.wecom_robot_url:
        found.append(WeComRobotNotifier(settings.wecom_robot_url))
    return found


def deliver(targets: list[Notifier], notice: TicketNotice) -> None:
    for target in targets:
        try:
            target.send(notice)
        except Exception as error:  # a notice failing must not fail the worker's intake
            log.warning("notice for %s via %s failed: %s", notice.number, type(target).__name__, error)


def ticket_notifier(settings: Settings, background: bool = True) -> Callable[[Ticket], None]:
    """What the intake calls on a new ticket: builds the notice now, sends it on a thread."""
    targets = notifiers(settings)

    def notify(ticket: Ticket) -> None:
        if not targets:
            return
        notice = TicketNotice.of(ticket, settings)
        if background:
            threading.Thread(target=deliver, args=(targets, notice), name="ticket-notice", daemon=True).start()
        else:
            deliver(targets, notice)

    return notify
