"""One way to take down a form in chat, shared by dispute intake, joining and event sign-up.

A form declares its fields; the engine here asks each field that applies, in order, re-asks what does not
parse, offers 跳过 on optional ones, then asks consent, shows a summary to confirm, change one field or
start again, and only then submits. The same words mean yes, no and skip in every form. A submitted form
is remembered in the conversation, so an old 确认提交 or 同意 pressed again is answered with what was
submitted instead of being taken for a question.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields as attributes, replace
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.flows.base import Turn, dump, load
from bot.intents import compact
from core.messages import Button, Reply
from bot.replies import say

YES = frozenset(
    {"同意", "我同意", "好", "好的", "可以", "行", "没问题", "是", "是的", "对", "确认", "确定", "确认提交", "提交"}
)
NO = frozenset({"不同意", "不", "不行", "否", "拒绝", "不要", "不可以"})
SKIP = frozenset({"跳过", "不清楚", "不知道", "没有", "无", "不涉及", "不确定", "不想说"})
CHANGE = frozenset({"修改", "修改一项", "改", "改一下", "不对", "有错"})
RESTART = frozenset({"重新填写", "重填", "从头来", "重新来"})
KEEP = frozenset({"不改了", "不改", "返回"})

AGREE, DISAGREE = Button("同意", "同意"), Button("不同意", "不同意")
CONFIRM, START_OVER = Button("确认提交", "确认提交"), Button("重新填写", "重新填写")
CHANGE_ONE = Button("修改一项", "修改")
SKIP_BUTTON, KEEP_BUTTON = Button("跳过", "跳过"), Button("不改了", "不改了")
CONSENT_BUTTONS = (AGREE, DISAGREE)
REVIEW_BUTTONS = (CONFIRM, CHANGE_ONE, START_OVER)
CLOSING = frozenset(compact(b.payload) for b in CONSENT_BUTTONS + REVIEW_BUTTONS)
"""What the last buttons of a form send: pressed again after it is submitted, they are old buttons."""
ANSWERS = YES | NO | CHANGE | RESTART
LOOKUPS = (Button("我的工单", "我的工单"), Button("我的会员", "我的会员"), Button("我的报名", "我的报名"))

State = TypeVar("State")


class Step(StrEnum):
    FIELD = "field"
    CONSENT = "consent"
    REVIEW = "review"
    CHANGE = "change"


@dataclass(frozen=True)
class Field(Generic[State]):
    name: str
    """The attribute of the form's state that the answer fills."""
    label: str
    """How the summary and the list of fields to change name it."""
    parse: Callable[[str], object | None]
    """The value, or None to ask again."""
    prompt: str
    again: str
    buttons: tuple[Button, ...] | Callable[[Turn], tuple[Button, ...]] = ()
    when: Callable[[State], bool] = lambda state: True
    """Asked only while this holds (the gig-worker fields, say); otherwise its value is dropped."""
    optional: bool = False
    shown: Callable[[Any], str] = str


@dataclass
class Progress:
    asking: str | None = None
    answered: list[str] = field(default_factory=list)
    """Fields answered or skipped: a skipped field is None in the state, like one not yet asked."""
    consented: bool = False


@dataclass(frozen=True)
class Submission:
    flow: str
    record_id: int


def text_between(low: int, high: int) -> Callable[[str], str | None]:
    """Free text of a sensible length: a company name is not one character, a description not a novel."""
    return lambda text: text.strip() if low <= len(text.strip()) <= high else None


class Form(Generic[State]):
    """A flow built from a declaration: subclasses set the class attributes, `submit` and `already`."""

    name: str
    state: type[State]
    fields: tuple[Field[State], ...]
    consent: str | None
    """None for a form that stores nothing personal (the calculator): no consent is asked."""
    declined: str
    summary: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unknown = {f.name for f in cls.fields} - {a.name for a in attributes(cls.state)}
        if unknown:
            raise TypeError(f"{cls.__name__} declares fields its state {cls.state.__name__} lacks: {unknown}")

    def start(self, turn: Turn) -> list[Reply]:
        return self.begin(turn, self.state())

    def begin(self, turn: Turn, state: State) -> list[Reply]:
        """Fields already filled (facts the worker gave in the question) are not asked again."""
        turn.conversation.remember(submitted=None)
        given = [f.name for f in self.fields if getattr(state, f.name) is not None]
        return self._next(turn, state, Progress(answered=given, consented=self.consent is None))

    def handle(self, turn: Turn) -> list[Reply]:
        try:
            state = load(self.state, turn.conversation.data["state"])
            progress = load(Progress, turn.conversation.data["progress"])
            step = Step(turn.conversation.step)
        except (KeyError, ValueError):  # a conversation saved by an older release: begin again
            return self.start(turn)
        words = compact(turn.text)
        if words in RESTART:  # at any step, not taken for an answer
            return self.begin(turn, replace(state, **{f.name: None for f in self.fields}))
        match step:
            case Step.FIELD:
                return self._answer(turn, state, progress)
            case Step.CONSENT:
                return self._consent(turn, state, progress, words)
            case Step.REVIEW:
                return self._review(turn, state, progress, words)
            case Step.CHANGE:
                return self._change(turn, state, progress, words)

    def submit(self, turn: Turn, state: State) -> tuple[list[Reply], int | None]:
        """Store what the worker confirmed: the replies, and the id of the record made (None if none was)."""
        raise NotImplementedError

    def already(self, turn: Turn, record_id: int) -> list[Reply] | None:
        """The answer to an old button of this form once `record_id` exists; None when the record is gone."""
        raise NotImplementedError

    def checked(self, turn: Turn, state: State, answered: Field[State]) -> list[Reply] | None:
        """A look at an answer the moment it is given; replies here end the form (a phone already a member's)."""
        return None

    def context(self, turn: Turn, state: State) -> dict[str, object]:
        """What this form's templates show besides the state, such as the event being signed up for."""
        return {}

    def applicable(self, state: State) -> list[Field[State]]:
        return [f for f in self.fields if f.when(state)]

    def _next(self, turn: Turn, state: State, progress: Progress) -> list[Reply]:
        applicable = self.applicable(state)
        dropped = {f.name: None for f in self.fields if f not in applicable}
        state = replace(state, **dropped)
        progress.answered = [name for name in progress.answered if name not in dropped]
        asking = next((f for f in applicable if f.name not in progress.answered), None)
        if asking is not None:
            progress.asking = asking.name
            self._keep(turn, Step.FIELD, state, progress)
            buttons = self._buttons(turn, asking)
            return [self._say(turn, asking.prompt, buttons, state, changing=progress.consented)]
        if not progress.consented:
            self._keep(turn, Step.CONSENT, state, progress)
            return [self._say(turn, self.consent, CONSENT_BUTTONS, state)]
        self._keep(turn, Step.REVIEW, state, progress)
        return [self._summary(turn, state)]

    def _answer(self, turn: Turn, state: State, progress: Progress) -> list[Reply]:
        asked = next(f for f in self.fields if f.name == progress.asking)
        if asked.optional and compact(turn.text) in SKIP:
            value = None
        else:
            value = asked.parse(turn.text)
            if value is None:
                return [self._say(turn, asked.again, self._buttons(turn, asked), state)]
        state = replace(state, **{asked.name: value})
        progress.answered = [*progress.answered, asked.name]
        ended = self.checked(turn, state, asked)
        return ended if ended is not None else self._next(turn, state, progress)

    def _consent(self, turn: Turn, state: State, progress: Progress, words: str) -> list[Reply]:
        if words in YES:
            progress.consented = True
            return self._next(turn, state, progress)
        if words in NO:
            turn.conversation.leave()
            return [self._say(turn, self.declined, (), state)]
        return [say("form_consent_again.j2", CONSENT_BUTTONS)]

    def _review(self, turn: Turn, state: State, progress: Progress, words: str) -> list[Reply]:
        if words in YES:
            return self._submit(turn, state)
        if words in CHANGE:
            self._keep(turn, Step.CHANGE, state, progress)
            return [self._which(state)]
        return [say("form_confirm_again.j2", REVIEW_BUTTONS)]

    def _change(self, turn: Turn, state: State, progress: Progress, words: str) -> list[Reply]:
        chosen = next((f for f in self.applicable(state) if compact(f.label) == words), None)
        if chosen is not None:
            progress.answered = [name for name in progress.answered if name != chosen.name]
            return self._next(turn, state, progress)
        if words in KEEP | YES:
            self._keep(turn, Step.REVIEW, state, progress)
            return [self._summary(turn, state)]
        return [self._which(state)]

    def remember(self, turn: Turn, record_id: int | None) -> None:
        """What was submitted, for the old buttons of this form (SubmittedForms)."""
        if record_id is not None:
            turn.conversation.remember(submitted=dump(Submission(self.name, record_id)))

    def _submit(self, turn: Turn, state: State) -> list[Reply]:
        replies, record_id = self.submit(turn, state)
        turn.conversation.leave()
        self.remember(turn, record_id)
        return replies

    def _summary(self, turn: Turn, state: State) -> Reply:
        rows = [(f.label, "未填写" if (value := getattr(state, f.name)) is None else f.shown(value))
                for f in self.applicable(state)]
        return self._say(turn, self.summary, REVIEW_BUTTONS, state, rows=rows)

    def _which(self, state: State) -> Reply:
        buttons = tuple(Button(f.label, f.label) for f in self.applicable(state))
        return say("form_change_which.j2", buttons + (KEEP_BUTTON,))

    def _buttons(self, turn: Turn, asked: Field[State]) -> tuple[Button, ...]:
        buttons = asked.buttons(turn) if callable(asked.buttons) else asked.buttons
        return buttons + (SKIP_BUTTON,) if asked.optional else buttons

    def _say(self, turn: Turn, template: str, buttons: tuple[Button, ...], state: State, **extra: object) -> Reply:
        return say(template, buttons, state=state, **self.context(turn, state), **extra)

    def _keep(self, turn: Turn, step: Step, state: State, progress: Progress) -> None:
        turn.conversation.enter(self.name, step, {"state": dump(state), "progress": dump(progress)})


class SubmittedForms:
    """Answers the buttons of a form already submitted: a Telegram button tapped twice, a WeChat number sent
    again. They get what was submitted, never the can't-answer reply, an unanswered-question record or a
    second record."""

    def __init__(self, forms: list[Form[Any]]) -> None:
        self.forms = {form.name: form for form in forms}

    def reply(self, turn: Turn) -> list[Reply] | None:
        words = compact(turn.text)
        remembered = turn.conversation.context.get("submitted")
        if remembered is None:  # forgotten with an idle conversation: submitted, or closed unsubmitted
            return [say("form_closed.j2", LOOKUPS)] if words in CLOSING else None
        if not (words in ANSWERS or self._old_number(turn, words)):
            return None
        submission = load(Submission, remembered)
        form = self.forms.get(submission.flow)
        replies = form.already(turn, submission.record_id) if form is not None else None
        return replies if replies is not None else [say("form_closed.j2", LOOKUPS)]

    @staticmethod
    def _old_number(turn: Turn, words: str) -> bool:
        """A bare number while nothing is on offer can only be the summary's numbered choice sent again."""
        offered = turn.conversation.context.get("buttons")
        return words.isdigit() and 1 <= int(words) <= len(REVIEW_BUTTONS) and not offered
