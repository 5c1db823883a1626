"""Answers from every kind of knowledge, through the engine: policy sections, stations by place, two-part
questions, and the fallback that shows nothing rather than something loosely related."""

from pathlib import Path

from bot.assistant import Assistant
from bot.engine import build_engine
from core.kb_items import ItemKind
from core.knowledge_base import create_item, publish
from core.messages import Channel
from index.build import Sources, build_index
from index.holder import IndexHolder
from support.dialogue import run
from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS, make_knowledge_base
from support.transcript import Transcript


def test_union_service_question_answered_from_its_policy_section_with_the_next_step(make_chat) -> None:
    said = run(make_chat(), [
        ("会员服务卡丢了补办要钱吗", "依据：\n1. 《入会须知》·会员服务卡：“", "【怎么办理】", ["附近服务站"]),
        ("原文1", "《入会须知》·会员服务卡\n会员入会后可以申领会员服务卡", "1. 入会后在线上或到职工服务中心申领"),
    ])
    assert said


def test_policy_answer_leads_with_the_sentence_that_answers(make_chat) -> None:
    said = make_chat().say("会员服务卡丢了补办要钱吗")
    assert said.startswith("卡片遗失的，可到服务中心登记补办，补办不收费。")


def test_a_question_about_the_stations_themselves_is_answered_from_their_rules(make_chat) -> None:
    said = make_chat().say("户外劳动者服务站一般几点开门几点关门")
    assert "《户外劳动者服务站点使用须知》·开放时间" in said
    assert "你在哪一带" not in said and "请发送你的位置" not in said


def test_two_part_question_answered_from_two_cards(make_chat) -> None:
    run(make_chat(), [
        ("单位拖着不发工资怎么办？另外年假有几天", "单位要每月按时发工资", "另外，关于“每年有几天带薪假”：",
         "《示例职工权益条例》第四条"),
    ])


def test_fallback_cites_nothing_loosely_related(make_chat) -> None:
    said = make_chat().say("公司食堂的饭菜太难吃了可以投诉吗")
    assert "暂时回答不了" in said and "可参考的规定" not in said and "《" not in said


def test_a_place_in_the_question_gives_the_nearest_stations_with_what_they_offer(make_chat) -> None:
    run(make_chat(), [
        ("我在东疆这块儿送货，渴了上哪能接口热水喝",
         "离“东疆”最近的服务站是", "，可以饮水。", "时间：", "电话：022-", "服务：饮水"),
    ])


def test_wanting_a_rest_or_a_charge_without_a_place_asks_where_then_remembers_the_need(make_chat) -> None:
    run(make_chat(), [
        ("附近哪里能充电啊，手机快没电了", "请发送你的位置", "能充电的服务站"),
        ("于家堡", "离“于家堡”最近的服务站是", "可以充电"),
    ])


def test_a_shared_location_after_the_ask_keeps_the_need(make_chat) -> None:
    chat = make_chat()
    assert "能热饭" in chat.say("送外卖的，想找个地儿把饭热一热")
    said = chat.location(39.1420, 117.3830)
    assert said.startswith("离你最近的服务站是") and "可以热饭" in said


def test_far_from_every_station_says_so_lists_the_closest_and_gives_the_hotline(make_chat) -> None:
    said = make_chat().say("我住静海，周边有没有职工驿站能歇会")
    assert said.startswith("离“静海")
    assert "附近暂时没有我们的站点" in said and "1. " in said and "12351" in said


def test_a_district_of_the_city_is_a_place(make_chat) -> None:
    said = make_chat().say("南开区有工会驿站吗")
    assert said.startswith("离“南开区”最近的服务站也有约") and "12351" in said


def test_a_long_question_while_asked_for_a_place_is_answered(make_chat) -> None:
    run(make_chat(), [
        ("服务站点", "请发送你的位置"),
        ("单位拖着不发工资怎么办，都两个月了", "单位要每月按时发工资"),
    ])


def test_stations_come_from_the_published_knowledge_version(tmp_path: Path) -> None:
    """A station an admin adds and publishes is listed in chat once its index is served, without a restart."""
    laws = [FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"]
    kb = make_knowledge_base(tmp_path / "kb", laws, FIXTURE_CARDS)
    assistant = Assistant(IndexHolder(kb.store, check_interval=0))
    assistant.start()
    chat = Transcript(build_engine(kb.settings, kb.database, assistant), user="served", channel=Channel.WEB)
    assert "静海职工驿站" not in chat.say("静海附近哪能歇脚")
    with kb.database.write_session() as session:
        create_item(session, "admin", ItemKind.STATION, {
            "name": "静海职工驿站", "kind": "outdoor", "area": "静海", "address": "静海区示例路1号",
            "latitude": 38.947, "longitude": 116.974, "hours": "每天 8:00-20:00", "phone": "022-6000-0999",
            "services": ["休息", "饮水"], "aliases": [],
        }, "jinghai-outdoor")
        publish(session, "admin")
    build_index(kb.database, kb.store, Sources.from_settings(kb.settings))
    said = chat.say("静海附近哪能歇脚")
    assert said.startswith("离“静海区”最近的服务站是静海职工驿站") and "022-6000-0999" in said
    assert "12351" not in said


def test_a_short_question_about_a_service_is_answered_not_taken_for_its_command(make_chat) -> None:
    said = make_chat().say("有了会员卡到底能干啥用")
    assert "《入会须知》·会员服务卡" in said and "还没有" not in said
    assert "你现在的工作是哪一种" in make_chat(user="join-command").say("入会"), "the bare command still starts joining"


def test_calculation_words_start_the_calculator_but_injury_compensation_does_not(make_chat) -> None:
    assert "月工资" in make_chat().say("赔偿金能拿多少")
    assert "月工资" not in make_chat(user="injury").say("工伤赔偿能拿多少")
