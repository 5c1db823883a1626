"""WeChat's retries and its 5-second limit: one engine run per message across app workers, the same reply
for every retry, and answers that miss the window delivered as customer-service messages."""

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import NoReturn

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from api.services import Services
from bot.engine import Engine
from core import idempotency
from core.consultations import Consultation
from core.idempotency import InboundMessage
from core.messages import Inbound, Reply
from support.fake_wechat_api import FakeWeChatApi, fake_wechat_api, openid
from support.knowledge import FIXTURE_CARDS, make_settings
from support.postgres import postgres_url
from support.wechat_simulator import WeChatSimulator, new_aes_key, wechat_app

QUESTION = "单位拖着不发工资怎么办"


@dataclass
class CountingEngine:
    """The real engine, counted (and optionally slowed down or extended) to see how often it runs."""

    engine: Engine
    calls: list[Inbound]
    delay: float = 0.0
    extra: list[Reply] = field(default_factory=list)
    fail: bool = False

    def handle(self, message: Inbound) -> list[Reply]:
        self.calls.append(message)
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("engine broke")
        return self.engine.handle(message) + self.extra


@pytest.fixture(scope="module")
def fake_api() -> Iterator[tuple[FakeWeChatApi, str]]:
    with fake_wechat_api() as running:
        yield running


def settings_for(fixture_kb, fake_api, database_url: str, **overrides: object):
    fake, api_url = fake_api
    return make_settings(
        fixture_kb.private_data_dir(),
        cards_dir=FIXTURE_CARDS,
        database_url=database_url,
        wechat_token="retry-token",
        wechat_app_id=fake.app_id,
        wechat_app_secret=fake.secret,
        wechat_aes_key=new_aes_key(),
        wechat_api_base_url=api_url,
        **overrides,
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> Iterator[str]:
    """One database for both app instances: a SQLite file, or a fresh database in the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    with postgres_url() as url:
        yield url


@pytest.fixture
def workers(fixture_kb, fake_api, database_url) -> Iterator[tuple[list[Inbound], list[WeChatSimulator]]]:
    """Two app instances on two ports sharing one database, like two app workers behind WeChat."""
    settings = settings_for(fixture_kb, fake_api, database_url)
    calls: list[Inbound] = []
    with ExitStack() as stack:
        simulators = []
        for _ in range(2):
            services, simulator = stack.enter_context(wechat_app(settings))
            services.gateway.engine = CountingEngine(services.engine, calls, delay=0.3)
            simulators.append(simulator)
        yield calls, simulators


def consultations(services: Services, user: str) -> int:
    with services.database.session() as session:
        return session.scalar(select(func.count()).select_from(Consultation).where(Consultation.user_id == user))


def test_retries_at_any_worker_get_the_same_reply_and_the_engine_runs_once(workers, request) -> None:
    calls, (first, second) = workers
    user = openid(request.node.name)
    xml = first.platform.text_xml(user, QUESTION)
    deliveries = [first.post(xml, user), second.post(xml, user), first.post(xml, user), second.post(xml, user)]
    contents = {d.content for d in deliveries}
    assert len(contents) == 1 and "《示例职工权益条例》第三条" in contents.pop()
    assert len(calls) == 1


def test_simultaneous_copies_at_two_workers_get_one_answer(workers, request) -> None:
    calls, simulators = workers
    user = openid(request.node.name)
    xml = simulators[0].platform.text_xml(user, QUESTION)
    contents: list[str | None] = [None, None]

    def deliver(index: int) -> None:
        contents[index] = simulators[index].post(xml, user).content

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert contents[0] is not None and contents[0] == contents[1]
    assert len(calls) == 1


def test_event_retries_are_keyed_by_sender_time_and_event(workers, request) -> None:
    calls, (first, second) = workers
    user = openid(request.node.name)
    created = int(time.time())
    welcome = first.event(user, "subscribe", create_time=created).content
    assert welcome.startswith("你好，欢迎关注")
    assert second.event(user, "subscribe", create_time=created).content == welcome
    assert len(calls) == 1
    second.event(user, "subscribe", create_time=created + 1)
    assert len(calls) == 2


@pytest.fixture(scope="module")
def single(fixture_kb, fake_api, tmp_path_factory) -> Iterator[tuple[Services, WeChatSimulator]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('wechat-retries') / 'app.sqlite3'}"
    with wechat_app(settings_for(fixture_kb, fake_api, url, wechat_reply_seconds=1.0)) as running:
        yield running


@pytest.fixture
def engine(single) -> Iterator[CountingEngine]:
    services, _simulator = single
    real = services.gateway.engine
    services.gateway.engine = CountingEngine(real, [])
    yield services.gateway.engine
    services.gateway.engine = real


def test_slow_answer_is_success_now_and_a_customer_service_message_later(single, engine, fake_api, request) -> None:
    services, simulator = single
    fake, _url = fake_api
    engine.delay = 2.0
    user = openid(request.node.name)
    xml = simulator.platform.text_xml(user, QUESTION)
    started = time.monotonic()
    first = simulator.post(xml, user)
    assert time.monotonic() - started < 1.8
    assert (first.response.status_code, first.response.text) == (200, "success")
    assert fake.texts_to(user) == []
    retry = simulator.post(xml, user)  # WeChat retries; the answer is already on its way
    assert retry.response.text == "success"
    [late] = fake.wait_for_texts(user)
    assert "《示例职工权益条例》第三条" in late and "回复数字：\n1. 找调解员\n\n" in late
    time.sleep(0.5)
    assert len(fake.texts_to(user)) == 1 and len(engine.calls) == 1
    assert consultations(services, user) == 1


def test_further_replies_of_a_turn_follow_as_customer_service_messages(single, engine, fake_api, request) -> None:
    _services, simulator = single
    fake, _url = fake_api
    engine.extra = [Reply("第二条消息。")]
    user = openid(request.node.name)
    passive = simulator.text(user, QUESTION).content
    assert "《示例职工权益条例》第三条" in passive and "有用" not in passive
    [later] = fake.wait_for_texts(user)
    assert later.startswith("第二条消息。") and "回复“有用”或“没用”" in later, "the turn's last reply asks for feedback"


def test_engine_failure_is_an_apology_not_an_error(single, engine, request) -> None:
    _services, simulator = single
    engine.fail = True
    user = openid(request.node.name)
    xml = simulator.platform.text_xml(user, QUESTION)
    apology = simulator.post(xml, user)
    assert apology.response.status_code == 200 and apology.content.startswith("抱歉，小助手刚才出了点小问题")
    assert simulator.post(xml, user).content == apology.content
    assert len(engine.calls) == 1


def locked(*_args, **_kwargs) -> NoReturn:
    """Recording an outcome as it fails on SQLite under contention."""
    raise OperationalError("UPDATE inbound_messages", {}, Exception("database is locked"))


def test_a_database_hiccup_while_recording_still_answers(single, engine, monkeypatch, request) -> None:
    services, simulator = single
    user = openid(request.node.name)
    monkeypatch.setattr(idempotency, "finish", locked)
    msg_id = next(simulator.platform.msg_ids)
    delivery = simulator.text(user, QUESTION, msg_id)
    assert delivery.response.status_code == 200 and "《示例职工权益条例》第三条" in delivery.content
    assert len(engine.calls) == 1
    record = idempotency.lookup(services.database, f"wechat:{msg_id}")
    assert record is not None and record.status == "processing", "claimed, but the outcome was not recorded"


def test_a_burst_of_messages_is_answered_and_recorded_for_retries(single, engine, request) -> None:
    services, simulator = single
    users = [openid(f"{request.node.name}-{n}") for n in range(24)]
    xmls = [simulator.platform.text_xml(user, QUESTION) for user in users]
    contents: dict[str, str | None] = {}

    def deliver(user: str, xml: str) -> None:
        contents[user] = simulator.post(xml, user).content

    threads = [threading.Thread(target=deliver, args=pair) for pair in zip(users, xmls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(content and "《示例职工权益条例》第三条" in content for content in contents.values())
    with services.database.session() as session:
        keys = [f"wechat:{xml.split('<MsgId>')[1].split('<')[0]}" for xml in xmls]
        statuses = session.scalars(select(InboundMessage.status).where(InboundMessage.key.in_(keys))).all()
    assert sorted(statuses) == ["answered"] * len(users)
