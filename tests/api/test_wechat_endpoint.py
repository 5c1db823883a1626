"""/wechat refuses what WeChat did not send and what nobody can read, with clear statuses, losing nothing."""

import time
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from api.services import Services
from core.idempotency import InboundMessage
from support.fake_wechat_api import fake_wechat_api, openid
from support.knowledge import FIXTURE_CARDS, make_settings
from support.wechat_simulator import WeChatPlatform, WeChatSimulator, new_aes_key, sha1_signature, wechat_app

TOKEN = "endpoint-token"
LIMIT = 4096


@pytest.fixture(scope="module", params=["plain", "safe"])
def account(request, fixture_kb, tmp_path_factory) -> Iterator[tuple[Services, WeChatSimulator]]:
    with fake_wechat_api() as (fake, api_url):
        settings = make_settings(
            fixture_kb.private_data_dir(),
            cards_dir=FIXTURE_CARDS,
            database_url=f"sqlite:///{tmp_path_factory.mktemp('wechat-endpoint') / 'app.sqlite3'}",
            wechat_token=TOKEN,
            wechat_app_id=fake.app_id,
            wechat_app_secret=fake.secret,
            wechat_aes_key=new_aes_key() if request.param == "safe" else "",
            wechat_api_base_url=api_url,
            wechat_max_body_bytes=LIMIT,
        )
        with wechat_app(settings) as running:
            yield running


@pytest.fixture
def simulator(account) -> WeChatSimulator:
    return account[1]


@pytest.fixture
def user(request) -> str:
    return openid(request.node.name)


def stored_messages(services: Services) -> int:
    with services.database.session() as session:
        return session.scalar(select(func.count()).select_from(InboundMessage))


def post(simulator: WeChatSimulator, params: dict[str, str], body: bytes | Iterator[bytes]) -> httpx.Response:
    return simulator.http.post("/wechat", params=params, content=body)


def test_url_verification_echoes_only_under_a_valid_fresh_signature(simulator: WeChatSimulator) -> None:
    platform = simulator.platform
    assert simulator.http.get("/wechat", params=platform.verification("echo-123")).text == "echo-123"
    forged = platform.verification("echo-123") | {"signature": "0" * 40}
    assert simulator.http.get("/wechat", params=forged).status_code == 403
    stale = platform.verification("echo-123", timestamp=int(time.time()) - 301)
    assert simulator.http.get("/wechat", params=stale).status_code == 403
    assert simulator.http.get("/wechat").status_code == 403


def test_forged_signature_is_403_and_nothing_is_handled(account, user: str) -> None:
    services, simulator = account
    before = stored_messages(services)
    impostor = WeChatPlatform("guessed-token", simulator.platform.app_id, simulator.platform.aes_key)
    params, body = impostor.request(impostor.text_xml(user, "单位拖着不发工资怎么办"), user)
    assert post(simulator, params, body).status_code == 403
    genuine_params, genuine_body = simulator.platform.request(simulator.platform.text_xml(user, "你好"), user)
    assert post(simulator, params | {"signature": "", "msg_signature": ""}, genuine_body).status_code == 403
    if simulator.platform.safe:  # only msg_signature covers the body; the plain signature does not
        assert post(simulator, genuine_params, body).status_code == 403
    assert stored_messages(services) == before


def test_stale_or_missing_timestamp_is_403(account, user: str) -> None:
    services, simulator = account
    before = stored_messages(services)
    old = simulator.post(simulator.platform.text_xml(user, "你好"), user, timestamp=int(time.time()) - 301)
    assert old.response.status_code == 403
    future = simulator.post(simulator.platform.text_xml(user, "你好"), user, timestamp=int(time.time()) + 301)
    assert future.response.status_code == 403
    params, body = simulator.platform.request(simulator.platform.text_xml(user, "你好"), user)
    assert post(simulator, params | {"timestamp": "yesterday"}, body).status_code == 403
    assert stored_messages(services) == before


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><ToUserName><![CDATA[gh]]></ToUserName><Content>",
        "definitely not xml",
        "<xml><MsgType><![CDATA[text]]></MsgType></xml>",
        "<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><xml><Content>&b;</Content></xml>",
    ],
)
def test_malformed_xml_is_400(account, xml: str) -> None:
    services, simulator = account
    before = stored_messages(services)
    params, body = simulator.platform.request(xml)
    response = post(simulator, params, body)
    assert response.status_code == 400, response.text
    assert stored_messages(services) == before


def test_unreadable_encrypted_envelope_is_400(account) -> None:
    _services, simulator = account
    if not simulator.platform.safe:
        pytest.skip("safe mode only")
    params, _body = simulator.platform.request("<xml/>")
    timestamp, nonce = params["timestamp"], params["nonce"]
    for encrypted in ("bm90IGEgY2lwaGVydGV4dA==", "%%%not base64%%%", ""):
        body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
        signed = params | {"msg_signature": sha1_signature(TOKEN, timestamp, nonce, encrypted)}
        assert post(simulator, signed, body).status_code == 400
    assert post(simulator, params, b"<xml><Encrypt>").status_code == 400


def test_oversized_body_is_413_by_header_and_by_bytes_read(account, user: str) -> None:
    services, simulator = account
    before = stored_messages(services)
    params, body = simulator.platform.request(simulator.platform.text_xml(user, "工资" * LIMIT), user)
    assert len(body) > LIMIT
    assert post(simulator, params, body).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        for start in range(0, len(body), 1024):
            yield body[start:start + 1024]

    assert post(simulator, params, chunks()).status_code == 413
    assert stored_messages(services) == before


def test_after_all_that_a_genuine_message_is_answered(account, user: str) -> None:
    services, simulator = account
    before = stored_messages(services)
    delivery = simulator.text(user, "单位拖着不发工资怎么办")
    assert delivery.response.status_code == 200
    assert "《示例职工权益条例》第三条" in delivery.content
    assert stored_messages(services) == before + 1


def test_without_a_token_nothing_is_accepted_even_when_signed_with_the_empty_token(fixture_kb, tmp_path) -> None:
    settings = make_settings(
        fixture_kb.private_data_dir(),
        cards_dir=FIXTURE_CARDS,
        database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}",
    )
    with wechat_app(settings) as (services, simulator):
        user = openid("no-token")
        assert simulator.http.get("/wechat", params=simulator.platform.verification("x")).status_code == 404
        delivery = simulator.text(user, "工资被拖欠怎么办")
        assert delivery.response.status_code == 404 and "WECHAT_TOKEN" in delivery.response.text
        assert stored_messages(services) == 0
