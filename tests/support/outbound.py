"""A sender for the outbound port that records what it was asked to deliver (a transcript, Zulip-style)."""

from dataclasses import dataclass, field

from core.messages import Channel, Reply
from core.outbound import DeliveryError


@dataclass
class RecordingSender:
    channel: Channel
    sent: list[tuple[str, Reply]] = field(default_factory=list)
    failure: DeliveryError | None = None

    def send(self, user_id: str, reply: Reply) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append((user_id, reply))
