"""Building replies: template text plus the buttons for the next steps."""

from bot.answer import Answer
from core.messages import Button, Channel, Reply
from core.wording import render
from knowledge.cards import Action

EXCERPTS = 3
EXCERPTS_BY_CHANNEL = {Channel.WECHAT: 2}
"""Sources quoted with an excerpt; the rest are listed by name (原文N shows any in full). A WeChat passive
reply is one short text, so it quotes at most two."""
LISTED = 6
EXCERPT = 40

MEDIATOR = Button("找调解员", "维权求助")
CALCULATOR = Button("算算补偿", "算补偿")
ACTION_BUTTONS = {
    Action.MEDIATION: MEDIATOR,
    Action.STATIONS: Button("附近服务站", "服务站点"),
    Action.EVENTS: Button("近期活动", "活动报名"),
    Action.JOIN: Button("加入工会", "入会"),
}
MENU = (
    Button("维权求助", "维权求助"),
    Button("服务站点", "服务站点"),
    Button("活动报名", "活动报名"),
    Button("入会", "入会"),
)


def say(template: str, buttons: tuple[Button, ...] = (), /, **context: object) -> Reply:
    return Reply(render(template, **context), buttons)


def answer_reply(answer: Answer, dispute: bool, channel: Channel | None = None) -> Reply:
    """The compact chat form: the answer, its sources with short excerpts, full text on request."""
    offer_mediation = dispute or answer.action is Action.MEDIATION
    buttons = [CALCULATOR] if answer.calculator else []
    if answer.action:
        buttons.append(ACTION_BUTTONS[answer.action])
    if offer_mediation and MEDIATOR not in buttons:
        buttons.append(MEDIATOR)
    text = render(
        "chat_answer.j2",
        answer=answer,
        quoted=answer.quoted[:LISTED],
        excerpts=EXCERPTS_BY_CHANNEL.get(channel, EXCERPTS) if channel else EXCERPTS,
        excerpt=EXCERPT,
        offer_mediation=offer_mediation,
    )
    return Reply(text, tuple(buttons))
