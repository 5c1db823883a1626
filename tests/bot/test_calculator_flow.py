"""The compensation calculator as conversations through the engine, from the command, from an answer's button
and from a question that already states the facts."""

from datetime import timedelta

from core.clock import local, utcnow
from support.dialogue import run

ENDINGS = ["被违法辞退", "病后/不胜任被辞退，没提前30天通知", "被辞退或裁员，提前通知了", "公司提出协商解除",
           "合同到期公司不续签", "公司欠薪或不交社保，我辞职", "我自己辞职"]
REVIEW = ["确认提交", "修改一项", "重新填写"]


def test_n_plus_one_worked_out_step_by_step(make_chat) -> None:
    run(make_chat(), [
        ("算补偿", "先说一下你的月工资", []),
        ("六千", "什么时候入职"),
        ("2019年3月1日", "最后一天上班是哪天", ["现在"]),
        ("2024年9月1日", "劳动合同是怎么结束的", ENDINGS),
        ("［病后/不胜任被辞退，没提前30天通知］", "有没有签书面劳动合同", ["签了合同"]),
        ("［签了合同］", "月工资：6,000元", "入职时间：2019-03-01", "离职时间：2024-09-01", REVIEW),
        ("［确认提交］", "大约能主张 42,000 元", "经济补偿（N）：6,000 元 × 6 个月 = 36,000 元",
         "代通知金（+1）：6,000 元", "5年6个月0天", "《劳动合同法》第四十七条", "《劳动合同法》第四十条",
         "《劳动合同法》第八十七条", "《劳动合同法》第八十二条", "《劳动合同法实施条例》第二十七条",
         "仅供参考", "以当地正式公布的数为准", ["找调解员"]),
    ])


def test_five_months_twenty_nine_days_is_half_a_month(make_chat) -> None:
    run(make_chat(), [
        ("算补偿", "月工资"),
        ("5000", "入职"),
        ("2024年1月1日", "最后一天"),
        ("2024年6月30日", "怎么结束"),
        ("公司提出协商解除", "书面劳动合同"),
        ("签了", "请核对"),
        ("确认提交", "经济补偿（N）：5,000 元 × 0.5 个月 = 2,500 元", "0年5个月29天"),
    ])


def test_unlawful_dismissal_at_the_cap_with_double_wages_limited_to_eleven_months(make_chat) -> None:
    run(make_chat(), [
        ("赔偿金能拿多少", "月工资"),
        ("3万", "入职"),
        ("干了20年", "怎么结束"),
        ("被违法辞退", "书面劳动合同"),
        ("没签，干了18个月", "没签合同的月数：18个月"),
        ("确认提交", "违法解除赔偿金（2N）：27,000 元 × 12 个月 × 2 = 648,000 元",
         "按三倍封顶计算，年限最多算12年", "30,000 元 × 11 个月 = 330,000 元", "978,000 元"),
    ])


def test_facts_in_the_question_are_not_asked_again(make_chat) -> None:
    run(make_chat(), [
        ("干了五年被公司辞退了，月薪八千，补偿能拿多少", "劳动合同是怎么结束的"),
        ("被辞退或裁员，提前通知了", "书面劳动合同"),
        ("签了", "月工资：8,000元", "入职时间：干了60个月"),
        ("确认提交", "大约能主张 40,000 元", "按你说的干了60个月计算"),
    ])


def test_resigning_of_ones_own_accord_is_told_plainly(make_chat) -> None:
    today = local(utcnow(), "Asia/Shanghai").date()
    started = (today - timedelta(days=800)).strftime("%Y年%-m月%-d日")
    run(make_chat(), [
        ("算补偿", "月工资"),
        ("4500", "入职"),
        (started, "最后一天"),
        ("［现在］", "怎么结束"),
        ("我自己辞职", "书面劳动合同"),
        ("签了", "请核对"),
        ("确认提交", "自己主动辞职一般拿不到经济补偿"),
    ])


def test_bad_answers_are_asked_again_and_cancel_leaves(make_chat) -> None:
    run(make_chat(), [
        ("算补偿", "月工资"),
        ("不知道", "没看懂这个数额"),
        ("6000", "入职"),
        ("明年吧", "没看懂"),
        ("取消", "已经取消"),
    ])


def test_answers_it_fits_offer_the_calculator(make_chat) -> None:
    """A card resting on the severance articles offers the calculator; the fixture cards do not."""
    chat = make_chat()
    chat.say("单位拖着不发工资怎么办")
    assert "算算补偿" not in chat.buttons


def test_a_severance_answer_offers_the_calculator_which_keeps_the_questions_facts(corpus_kb) -> None:
    from bot.assistant import Assistant
    from bot.engine import build_engine
    from support.transcript import Transcript

    assistant = Assistant.from_settings(corpus_kb.settings)
    assistant.start()
    chat = Transcript(build_engine(corpus_kb.settings, corpus_kb.database, assistant), user="severance-offer")
    run(chat, [
        ("干了五年被公司裁员了，月薪八千，经济补偿金怎么算", "算算补偿"),
        ("［算算补偿］", "劳动合同是怎么结束的"),
        ("被辞退或裁员，提前通知了", "书面劳动合同"),
        ("签了", "月工资：8,000元", "入职时间：干了60个月"),
    ])
