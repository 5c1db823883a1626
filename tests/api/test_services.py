"""Service wiring from settings: a configured WeChat account gets its sender and the template-notice fallback."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.services import Services, build_services
from bot.channels.wechat_api import WeChatSender
from core.messages import Channel, Inbound, InboundKind
from core.tickets import Ticket
from support.cases import assigned_case
from support.fake_wechat_api import TEMPLATE_ID, FakeWeChatApi, fake_wechat_api, openid
from support.knowledge import FIXTURE_CARDS, make_settings


@pytest.fixture
def fake_api() -> Iterator[tuple[FakeWeChatApi, str]]:
    with fake_wechat_api() as running:
        yield running


def services_for(fixture_kb, tmp_path: Path, **overrides: object) -> Services:
    settings = make_settings(
        fixture_kb.private_data_dir(),
        cards_dir=FIXTURE_CARDS,
        database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}",
        **overrides,
    )
    return build_services(settings)


def wechat_services(fixture_kb, tmp_path: Path, fake_api, template_id: str) -> Services:
    fake, api_url = fake_api
    return services_for(
        fixture_kb,
        tmp_path,
        wechat_app_id=fake.app_id,
        wechat_app_secret=fake.secret,
        wechat_api_base_url=api_url,
        wechat_notice_template_id=template_id,
    )


def wechat_case(services: Services, user: str) -> tuple[int, int]:
    """A WeChat worker who wrote just now, with a case assigned to a mediator."""
    services.engine.handle(Inbound(Channel.WECHAT, user, InboundKind.TEXT, text="你好"))
    return assigned_case(services.database, Channel.WECHAT, user, "mediator", "李调解")


def test_without_an_app_id_there_is_no_wechat_sender(fixture_kb, tmp_path) -> None:
    services = services_for(fixture_kb, tmp_path)
    assert Channel.WECHAT not in services.outbound.senders
    assert services.casework.notice is None


def test_a_mediators_reply_and_the_notice_fallback_go_through_wechats_api(fixture_kb, tmp_path, fake_api) -> None:
    fake, _api_url = fake_api
    services = wechat_services(fixture_kb, tmp_path, fake_api, TEMPLATE_ID)
    assert isinstance(services.outbound.senders[Channel.WECHAT], WeChatSender)
    user = openid("services-worker")
    ticket_id, mediator_id = wechat_case(services, user)

    assert services.casework.reply(ticket_id, mediator_id, "您好，我是调解员。").delivered
    assert fake.texts_to(user) == ["【工会调解员 李调解】\n您好，我是调解员。"]

    fake.close_window(user)
    refused = services.casework.reply(ticket_id, mediator_id, "还在吗？")
    assert not refused.delivered and refused.offer_notice and "48" in (refused.reason or "")
    assert services.casework.send_notice(ticket_id, mediator_id).delivered
    [notice] = fake.template_messages
    assert notice["touser"] == user and notice["template_id"] == TEMPLATE_ID
    with services.database.session() as session:
        number = session.get(Ticket, ticket_id).number
    assert notice["data"]["keyword1"]["value"] == number
    assert "回复" in notice["data"]["remark"]["value"]


def test_a_wrong_template_id_is_reported_to_the_mediator(fixture_kb, tmp_path, fake_api) -> None:
    fake, _api_url = fake_api
    services = wechat_services(fixture_kb, tmp_path, fake_api, "no-such-template")
    ticket_id, mediator_id = wechat_case(services, openid("services-wrong-template"))
    delivery = services.casework.send_notice(ticket_id, mediator_id)
    assert not delivery.delivered and "40037" in (delivery.reason or "")
    assert fake.template_messages == []
