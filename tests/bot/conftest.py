"""One way for the bot tests to open a chat: the real engine over the fixture knowledge base and database."""

from collections.abc import Callable

import pytest

from bot.engine import build_engine
from core.messages import Channel
from core.settings import Settings
from support.transcript import Transcript

ChatFactory = Callable[..., Transcript]


@pytest.fixture
def make_chat(fixture_kb, assistant, request) -> ChatFactory:
    """`make_chat(user=None, channel=Channel.WEB, settings=None, **engine_options)`; the user defaults to the
    test's name, so tests sharing the session's database never see each other's conversations."""

    def make(
        user: str | None = None, channel: Channel = Channel.WEB, settings: Settings | None = None, **options: object
    ) -> Transcript:
        engine = build_engine(settings or fixture_kb.settings, fixture_kb.database, assistant, **options)
        return Transcript(engine, user=user or request.node.name, channel=channel)

    return make
