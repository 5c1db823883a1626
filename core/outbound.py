"""Messages that are not replies (a mediator's answer, a reminder) go out through each channel's sender."""

from dataclasses import dataclass, field
from typing import Protocol

from core.messages import Channel, Reply


class DeliveryError(RuntimeError):
    """The platform did not take the message; `reason` says why in words a mediator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WindowClosed(DeliveryError):
    """WeChat allows customer-service messages only within 48 hours of the worker's last message."""


class QuotaExceeded(DeliveryError):
    """WeChat caps customer-service messages per worker message; the budget is spent."""


class Sender(Protocol):
    channel: Channel

    def send(self, user_id: str, reply: Reply) -> None:
        """Deliver or raise DeliveryError."""


@dataclass
class Outbound:
    senders: dict[Channel, Sender] = field(default_factory=dict)

    def register(self, sender: Sender) -> None:
        self.senders[sender.channel] = sender

    def send(self, channel: Channel, user_id: str, reply: Reply) -> None:
        sender = self.senders.get(channel)
        if sender is None:
            raise DeliveryError(f"{channel} is not configured")
        sender.send(user_id, reply)
