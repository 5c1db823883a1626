"""Text normalisation applied identically to questions, passages and synonym patterns.

Besides folding widths and case, it rewrites the colloquial and dialect forms of common words into the
standard ones passages are written in, by rules of the language that hold whatever the question is about:
仨/俩 are 三个/两个, 咋/啥 are 怎么/什么, 俺/咱 are 我, 哪儿 is 哪里; and a count before a unit is written
the way statutes write it (30天 → 三十天, 3个月 → 三个月, 第3条 → 第三条).

Being let go is said in many shapes: the object moved before the verb with 把 (把我们仨都给开了), an agent
after 被 (被老板炒了), the object after the verb (辞了我们). Whoever is let go and whatever adverbs sit in
between, the shape is folded into one (把我开了, 被炒了, 辞了我), so one way of saying it on a card or in the
synonym map meets all the others.
"""

import re
import unicodedata

from knowledge.numerals import to_chinese

# Longer forms first: 咋整 before 咋, 俩个 before 俩.
COLLOQUIAL = {
    "咋整": "怎么办",
    "咋弄": "怎么办",
    "咋办": "怎么办",
    "怎么整": "怎么办",
    "啷个": "怎么",
    "咋": "怎么",
    "干嘛": "干什么",
    "干吗": "干什么",
    "搞么子": "干什么",
    "甚么": "什么",
    "啥": "什么",
    "俩个": "两个",
    "仨个": "三个",
    "俩": "两个",
    "仨": "三个",
    "俺们": "我们",
    "俺": "我",
    "咱们": "我们",
    "咱": "我",
    "木有": "没有",
    "没得": "没有",
    "甭": "不用",
    "哪儿": "哪里",
    "这儿": "这里",
    "那儿": "那里",
    "一块儿": "一起",
    "一会儿": "一会",
    "一点儿": "一点",
    "地儿": "地方",
    "活儿": "活",
    "事儿": "事",
    "社报": "社保",
    "啥子": "什么",
    "莫得": "没有",
    "晓得": "知道",
    "多钱": "多少钱",
    "娃娃": "孩子",
    "娃": "孩子",
    "东家": "老板",
}
COLLOQUIAL_PATTERN = re.compile("|".join(sorted(map(re.escape, COLLOQUIAL), key=len, reverse=True)))
# A one-to-three-digit count before a unit; not part of a longer number, a decimal or a code like 2n.
UNITS = "个天日月年周岁倍名人次小条"
COUNT = re.compile(rf"(?<![\d.])(\d{{1,3}})(?=[{UNITS}])")
# Verbs of letting a worker go, the people let go and the adverbs that can come between.
LET_GO = "开炒辞裁踢撵"
PEOPLE = "(?:我们|我|他们|他|她们|她|人|大家|工人|员工|职工)?(?:[一两三四五六七八九十几]+个)?(?:人)?"
BETWEEN = "(?:都|全|全都|也|就|直接|一起|统统|给)*"
AGENT = "(?:公司|单位|老板|厂里|厂子|工厂|领导|主管|经理|店长|老总|人事|项目部|包工头)"
DONE = "(?:掉了|了|掉)"
DISPOSAL = re.compile(rf"把{PEOPLE}{BETWEEN}([{LET_GO}]){DONE}")
PASSIVE = re.compile(rf"被{AGENT}{BETWEEN}([{LET_GO}]){DONE}")
OBJECT_AFTER = re.compile(rf"([{LET_GO}])了(?:我们|他们|她们|大家|工人|员工|职工|他|她)")


def normalize(text: str) -> str:
    """NFKC folds full-width letters, digits and punctuation; lower-case makes 2N and 2n one token."""
    folded = unicodedata.normalize("NFKC", text).lower().strip()
    standard = COLLOQUIAL_PATTERN.sub(lambda match: COLLOQUIAL[match.group(0)], folded)
    return COUNT.sub(_count, let_go(standard))


def let_go(text: str) -> str:
    """One shape for being let go: 把我们都给开了 → 把我开了, 被老板炒了 → 被炒了, 辞了我们 → 辞了我."""
    text = DISPOSAL.sub(lambda match: f"把我{match.group(1)}了", text)
    text = PASSIVE.sub(lambda match: f"被{match.group(1)}了", text)
    return OBJECT_AFTER.sub(lambda match: f"{match.group(1)}了我", text)


def _count(match: re.Match[str]) -> str:
    number = int(match.group(1))
    return to_chinese(number) if number else match.group(1)
