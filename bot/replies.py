"""Building replies: template text plus the buttons for the next steps."""

from bot.answer import Answer
from core.messages import Button, Reply
from core.wording import render
from knowledge.cards import Action

CHAT_CITATIONS = 3
EXCERPT = 40

MEDIATOR = Button("找调解员", "维权求助")
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


def answer_reply(answer: Answer, dispute: bool) -> Reply:
    """The compact chat form: a few citations with short excerpts, full text on request."""
    offer_mediation = dispute or answer.action is Action.MEDIATION
    buttons = [ACTION_BUTTONS[answer.action]] if answer.action else []
    if offer_mediation and MEDIATOR not in buttons:
        buttons.append(MEDIATOR)
    text = render(
        "chat_answer.j2",
        answer=answer,
        citations=answer.citations[:CHAT_CITATIONS],
        excerpt=EXCERPT,
        offer_mediation=offer_mediation,
    )
    return Reply(text, tuple(buttons))
