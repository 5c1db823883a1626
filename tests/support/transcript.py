"""Conversation tests that read like dialogues: send as a worker, read what the bot said."""

from dataclasses import dataclass, field

from bot.engine import Engine
from core.messages import Channel, Inbound, InboundKind, Reply


@dataclass
class Transcript:
    engine: Engine
    user: str = "worker-1"
    channel: Channel = Channel.WEB
    lines: list[tuple[str, str]] = field(default_factory=list)
    last: list[Reply] = field(default_factory=list)

    def send(self, message: Inbound) -> str:
        self.lines.append(("worker", message.text or message.kind.value))
        self.last = self.engine.handle(message)
        said = "\n".join(reply.text for reply in self.last)
        shown = " ".join(f"［{label}］" for label in self.buttons)
        self.lines.append(("bot", f"{said}\n{shown}" if shown else said))
        return said

    def say(self, text: str) -> str:
        return self.send(Inbound(self.channel, self.user, InboundKind.TEXT, text=text))

    def press(self, label: str) -> str:
        button = next(b for reply in self.last for b in reply.buttons if b.label == label)
        return self.say(button.payload)

    def location(self, latitude: float, longitude: float) -> str:
        return self.send(Inbound(self.channel, self.user, InboundKind.LOCATION, latitude=latitude, longitude=longitude))

    def menu(self, key: str) -> str:
        return self.send(Inbound(self.channel, self.user, InboundKind.MENU, menu_key=key))

    def event(self, kind: InboundKind) -> str:
        return self.send(Inbound(self.channel, self.user, kind))

    @property
    def reading(self) -> str:
        """The conversation as the worker reads it on a phone, buttons in ［］."""
        return "\n\n".join(f"{'职工' if who == 'worker' else '小助手'}：{text}" for who, text in self.lines)

    @property
    def buttons(self) -> list[str]:
        return [b.label for reply in self.last for b in reply.buttons]
