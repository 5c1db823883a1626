"""What a worker's message asks for: a command, small talk, or a question for retrieval.

Commands are short by nature ("入会", "我要报名活动"); a long message that merely mentions a
command word ("农民工能不能加入工会？要什么条件") is a question and goes to retrieval, whose
answer then offers the same next step.
"""

import re
from enum import StrEnum

from index.text import normalize

SHORT = 12
PUNCTUATION = re.compile(r"[\s\W_]+")
FULL_TEXT = re.compile(r"^(?:原文|全文|条文)(\d{1,2})$")


class Intent(StrEnum):
    CANCEL = "cancel"
    HELP = "help"
    GREETING = "greeting"
    THANKS = "thanks"
    LEGAL = "legal"
    DISPUTE = "dispute"
    EVENTS = "events"
    STATIONS = "stations"
    JOIN = "join"
    MY_CASES = "my_cases"
    MY_MEMBERSHIP = "my_membership"
    MY_REGISTRATIONS = "my_registrations"
    FULL_TEXT = "full_text"
    CALCULATOR = "calculator"
    QUESTION = "question"


CANCEL_WORDS = ("取消", "退出", "不办了", "算了")
GREETINGS = ("你好", "您好", "在吗", "在不在", "哈喽", "嗨", "hi", "hello", "早上好", "下午好", "晚上好", "有人吗")
THANKS = ("谢谢", "感谢", "多谢", "辛苦了", "thank")
STATION_WORDS = ("服务站点", "服务站", "驿站", "服务中心", "职工之家", "司机之家", "站点", "一公里服务圈")
# What may surround a station word in a message that only asks for stations ("附近的服务站", "找驿站");
# anything more ("驿站几点开门", "东疆附近有服务站吗") is a question, for the station finder or retrieval.
STATION_COMMAND = re.compile(r"^(?:我要|我想|想|帮我|请|找|查|查询|看看|附近|最近|周边|的|有|个|一下|在哪|哪里|哪儿|哪|吗|呢)*$")
CALCULATOR_WORDS = ("算补偿", "算赔偿", "补偿计算", "赔偿计算", "计算补偿", "计算赔偿", "补偿金计算", "算算补偿", "算一下补偿",
                    "算一算补偿", "算算赔偿", "算一下赔偿")
INJURY_WORDS = ("工伤", "伤残", "受伤", "事故", "车祸", "职业病", "死亡", "工亡")
CALCULATOR_AMOUNT = re.compile(r"(?:补偿|赔偿)(?:金)?(?:能|该|应该|可以)?(?:拿|给|赔|有|是)?多少")

# Checked in order; the first intent whose word appears in a short message wins.
SHORT_COMMANDS: tuple[tuple[Intent, tuple[str, ...]], ...] = (
    (Intent.HELP, ("帮助", "菜单", "help", "功能", "你能做什么", "你会什么", "怎么用")),
    (Intent.MY_CASES, ("我的工单", "工单", "案件进度", "我的案件", "进度")),
    (Intent.MY_MEMBERSHIP, ("我的会员", "会员状态", "会员卡", "会员号", "入会进度")),
    (Intent.MY_REGISTRATIONS, ("我的报名", "取消报名", "报名记录", "我报的活动", "签到码")),
    (Intent.DISPUTE, ("维权求助", "调解员", "转人工", "人工", "我要维权", "投诉单位")),
    (Intent.JOIN, ("入会", "加入工会", "入工会", "参加工会")),
    (Intent.EVENTS, ("活动报名", "活动", "报名", "比赛", "竞赛")),
    (Intent.LEGAL, ("法律咨询", "咨询法律", "问法律")),
)

# A short message asking about these ("会员卡能干啥用", "技能比赛有啥奖励") is a question the union's policies
# answer, not the command its keyword names; the answer offers the same next step.
ANSWERABLE = frozenset({Intent.JOIN, Intent.EVENTS, Intent.MY_MEMBERSHIP, Intent.MY_REGISTRATIONS})
QUESTION_WORDS = ("啥", "什么", "怎么", "咋", "吗", "能不能", "可不可以", "多少", "哪", "几", "为什么", "是不是", "有没有", "不")

# Signs that the worker is in a dispute a mediator could take up.
DISPUTE_SIGNALS = (
    "欠薪", "拖欠", "不发工资", "没发工资", "不给工资", "工资没发", "克扣", "扣工资", "不给钱",
    "辞退", "开除", "炒鱿鱼", "被裁", "裁员", "解雇", "赶走", "不让我干",
    "工伤", "受伤", "摔伤", "职业病", "出车祸",
    "没签合同", "不签合同", "没有签合同", "没签劳动合同", "未签",
    "社保没交", "不交社保", "没交社保", "没买社保", "不买社保", "断缴", "停缴",
    "加班费", "不给加班费", "赔偿", "补偿", "仲裁",
)


def compact(text: str) -> str:
    """Normalised text without spaces or punctuation, for matching commands."""
    return PUNCTUATION.sub("", normalize(text))


def classify(text: str) -> Intent:
    words = compact(text)
    if not words:
        return Intent.HELP
    if words in CANCEL_WORDS:
        return Intent.CANCEL
    if FULL_TEXT.match(words):
        return Intent.FULL_TEXT
    if is_calculation(words):
        return Intent.CALCULATOR
    if is_station_command(words):
        return Intent.STATIONS
    if len(words) <= SHORT:
        asking = any(word in words for word in QUESTION_WORDS)
        for intent, keywords in SHORT_COMMANDS:
            if asking and intent in ANSWERABLE and words not in keywords:
                continue
            if any(keyword in words for keyword in keywords):
                return intent
        if any(words.startswith(g) for g in GREETINGS) and len(words) <= 6:
            return Intent.GREETING
        if any(t in words for t in THANKS):
            return Intent.THANKS
    return Intent.QUESTION


def is_calculation(words: str) -> bool:
    """Asking to work out severance or compensation for a contract that ended (not injury compensation,
    which the calculator does not compute)."""
    if any(word in words for word in INJURY_WORDS):
        return False
    return any(word in words for word in CALCULATOR_WORDS) or bool(CALCULATOR_AMOUNT.search(words))


def is_station_command(words: str) -> bool:
    """A message that only asks for stations: a station word with at most a few words of looking for one."""
    for word in STATION_WORDS:
        if word in words:
            return bool(STATION_COMMAND.match(words.replace(word, "", 1)))
    return False


def full_text_index(text: str) -> int | None:
    match = FULL_TEXT.match(compact(text))
    return int(match.group(1)) if match else None


def is_dispute(text: str) -> bool:
    words = compact(text)
    return any(signal in words for signal in DISPUTE_SIGNALS)
