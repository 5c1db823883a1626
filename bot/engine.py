"""The conversation engine: one inbound message in, the replies out, whatever the channel.

Routing order: a mediator's open conversation (the bot only acknowledges), platform events (subscribe,
media, location, menu), a number chosen from the last buttons, 取消, the active flow, an old button
of a form already submitted, commands and small talk, a question asking for a station (the station
finder), and finally the question for retrieval.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from core.casework import relay_to_mediator
from core.clock import utcnow
from core.consultations import record_consultation
from core.conversations import load_conversation
from core.db import Database
from core.messages import Channel, Inbound, InboundKind, Reply
from core.settings import Settings
from core.tickets import Deadline, Ticket
from core.transcript import Author, record_line
from bot.assistant import Assistant
from bot.flows.base import Flow, Turn
from bot.flows.calculator import CalculatorForm
from bot.flows.cases import CasesFlow
from bot.flows.dispute import DisputeForm
from bot.flows.events import EventSignUpForm, EventsFlow, RegistrationsFlow
from bot.flows.join import JoinForm, MembershipStatusFlow
from bot.flows.rating import RatingFlow
from bot.flows.stations import ServedStations, StationsFlow
from bot.forms import SubmittedForms
from bot.intents import Intent, classify, compact, full_text_index, is_dispute
from bot.replies import MENU, answer_reply, say
from index.passages import article_id, citation_label

MENU_KEYS = {
    "LEGAL": "法律咨询",
    "DISPUTE": "维权求助",
    "EVENTS": "活动报名",
    "STATIONS": "服务站点",
    "JOIN": "入会",
    "MY_CASES": "我的工单",
    "MY_MEMBERSHIP": "我的会员",
    "MY_REGISTRATIONS": "我的报名",
}
FLOW_INTENTS = {
    Intent.DISPUTE: DisputeForm.name,
    Intent.EVENTS: EventsFlow.name,
    Intent.JOIN: JoinForm.name,
    Intent.STATIONS: StationsFlow.name,
    Intent.CALCULATOR: CalculatorForm.name,
    Intent.MY_CASES: CasesFlow.name,
    Intent.MY_MEMBERSHIP: MembershipStatusFlow.name,
    Intent.MY_REGISTRATIONS: RegistrationsFlow.name,
}
COMMANDS = frozenset([*MENU_KEYS.values(), "帮助", "菜单"])
WORKER_SENT = (InboundKind.TEXT, InboundKind.LOCATION, InboundKind.MEDIA)
SIMPLE = {
    Intent.HELP: "help.j2",
    Intent.GREETING: "greeting.j2",
    Intent.THANKS: "thanks.j2",
    Intent.LEGAL: "legal_intro.j2",
}


@dataclass
class Engine:
    assistant: Assistant
    database: Database
    stations: StationsFlow
    flows: dict[str, Flow]
    submitted: SubmittedForms
    idle: timedelta = timedelta(minutes=30)
    mediator_idle: timedelta = timedelta(minutes=60)
    public_base_url: str = ""

    def handle(self, message: Inbound) -> list[Reply]:
        with self.database.write_session() as session:
            conversation = load_conversation(session, message.channel, message.user_id, self.idle)
            turn = Turn(message, message.text.strip(), conversation, session)
            previous = conversation.last_inbound_at
            self._note_inbound(turn)
            replies = self._with_mediator(turn, previous)
            if replies is None:
                replies = self._dispatch(turn)
                buttons = replies[-1].buttons if replies else ()
                conversation.remember(buttons=[[b.label, b.payload] for b in buttons])
            for reply in replies:
                record_line(session, message.channel, message.user_id, Author.BOT, reply.text)
        for task in turn.after_commit:
            task()
        return replies

    def _note_inbound(self, turn: Turn) -> None:
        """The worker's own messages open WeChat's customer-service window; every one is transcribed."""
        message = turn.message
        if message.kind in WORKER_SENT:
            turn.conversation.last_inbound_at = utcnow()
            turn.conversation.outbound_since_inbound = 0
        shown = {InboundKind.LOCATION: "[位置]", InboundKind.MEDIA: "[图片/语音/视频]"}.get(message.kind, turn.text)
        record_line(turn.session, message.channel, message.user_id, Author.WORKER, shown)

    def _with_mediator(self, turn: Turn, previous: datetime | None) -> list[Reply] | None:
        """While a mediator holds the conversation, the worker's messages go to the case; the bot only says,
        once per burst, that they reached the mediator."""
        if turn.message.kind not in WORKER_SENT:
            return None
        text = turn.text or "[位置/图片]"
        relayed = relay_to_mediator(turn.session, turn.conversation, text, self.mediator_idle, previous)
        if relayed is None:
            return None
        if not relayed.acknowledge:
            return []
        return [say("mediator_holding.j2", number=relayed.number, mediator=relayed.mediator)]

    def _dispatch(self, turn: Turn) -> list[Reply]:
        message = turn.message
        if message.kind is InboundKind.SUBSCRIBE:
            turn.conversation.leave()
            return [say("welcome.j2", MENU, followed=message.channel is Channel.WECHAT)]
        if message.kind is InboundKind.UNSUBSCRIBE:
            turn.conversation.leave()
            return []
        if message.kind is InboundKind.MEDIA:
            return [say("media.j2")]
        if message.kind is InboundKind.LOCATION and message.latitude is not None and message.longitude is not None:
            return self.stations.near(turn, message.latitude, message.longitude)
        if message.kind is InboundKind.MENU:
            turn.text = MENU_KEYS.get(message.menu_key or "", "帮助")
        turn.text = self._chosen_button(turn) or turn.text
        if compact(turn.text) in COMMANDS:
            turn.conversation.leave()  # a menu choice is deliberate navigation, whatever flow was active
        return self._text(turn)

    def _chosen_button(self, turn: Turn) -> str | None:
        """Thin channels show buttons as numbered lines; a bare number picks one."""
        buttons = turn.conversation.context.get("buttons") or []
        if turn.text.isdigit() and 1 <= int(turn.text) <= len(buttons):
            return buttons[int(turn.text) - 1][1]
        return None

    def _text(self, turn: Turn) -> list[Reply]:
        intent = classify(turn.text)
        if intent is Intent.CANCEL:
            had_flow = turn.conversation.flow is not None
            turn.conversation.leave()
            return [say("cancelled.j2", had_flow=had_flow)]
        if turn.conversation.flow in self.flows:
            replies = self.flows[turn.conversation.flow].handle(turn)
            if replies is not None:
                return replies
            turn.conversation.leave()
        late = self.submitted.reply(turn)
        if late is not None:
            return late
        if intent in FLOW_INTENTS and FLOW_INTENTS[intent] in self.flows:
            return self.flows[FLOW_INTENTS[intent]].start(turn)
        if intent in SIMPLE:
            return [say(SIMPLE[intent], MENU if intent is Intent.HELP else ())]
        if intent is Intent.FULL_TEXT:
            return [self._full_text(turn)]
        request = self.stations.request(turn.text)
        if request is not None:
            return self.stations.answer(turn, request)
        return [self._answer(turn)]

    def _answer(self, turn: Turn) -> Reply:
        question = self.assistant.searched(turn.text)
        answer = self.assistant.ask(question)
        record_consultation(
            turn.session, turn.message.channel, turn.message.user_id, question, answer.card_id, answer.confident
        )
        turn.conversation.remember(
            citations=[source.passage_id for source in answer.quoted],
            topic=answer.topic,
            # The calculator it offers takes the facts the question gave (wage, dates) rather than asking again.
            asked=turn.text if answer.calculator else None,
        )
        return answer_reply(answer, dispute=is_dispute(question), channel=turn.message.channel)

    def _full_text(self, turn: Turn) -> Reply:
        """The whole of a source the last answer numbered: an article, or a policy section with its steps."""
        sources = turn.conversation.context.get("citations") or []
        number = full_text_index(turn.text) or 0
        if not 1 <= number <= len(sources):
            return say("full_text_missing.j2", has_citations=bool(sources), count=len(sources))
        chosen = sources[number - 1]
        # Conversations saved before policies were quoted hold [law, article] pairs.
        passage_id = chosen if isinstance(chosen, str) else article_id(*chosen)
        passage = self.assistant.holder.get().by_id.get(passage_id)
        if passage_id.startswith("policy:"):
            if passage is None:
                return say("full_text_missing.j2", has_citations=True, count=len(sources))
            return say("full_text_section.j2", section=passage)
        law, article = passage_id.removeprefix("article:").rsplit(":", 1)
        number_only = int(article.split("-")[0])
        label = citation_label(law, number_only)
        if passage is None:
            return say("full_text_not_imported.j2", label=label)
        text = say("full_text.j2", label=label, text=passage.text).text
        return Reply(text, link=self._article_link(law, number_only), link_label="查看条文")

    def _article_link(self, law: str, article: int) -> str:
        """A page with the whole article, for channels that must shorten long texts. Without a public
        address it is a path on this app: the web chat opens it, WeChat and Telegram leave it out."""
        return f"{self.public_base_url.rstrip('/')}/laws/{quote(law)}/{article}"


def build_engine(
    settings: Settings,
    database: Database,
    assistant: Assistant,
    notify: Callable[[Ticket], None] = lambda ticket: None,
    promoted: Callable[[list[int]], None] = lambda registration_ids: None,
) -> Engine:
    """The engine with every flow. `notify` hears of new cases, `promoted` of waitlist promotions."""
    stations_flow = StationsFlow(ServedStations(assistant.holder.get).get)
    deadline = Deadline(
        settings.first_response_working_days,
        settings.timezone,
        frozenset(settings.holidays),
        settings.working_day_ends,
    )
    sign_up = EventSignUpForm(settings.timezone)
    calculator = CalculatorForm(settings.timezone, settings.average_monthly_wage, settings.average_monthly_wage_year)
    forms = [DisputeForm(deadline, notify), JoinForm(), sign_up, calculator]
    others: list[Flow] = [
        stations_flow,
        CasesFlow(),
        RatingFlow(),
        MembershipStatusFlow(),
        EventsFlow(settings.timezone, sign_up),
        RegistrationsFlow(settings.timezone, promoted),
    ]
    return Engine(
        assistant=assistant,
        database=database,
        stations=stations_flow,
        flows={flow.name: flow for flow in [*forms, *others]},
        submitted=SubmittedForms(forms),
        idle=timedelta(minutes=settings.conversation_idle_minutes),
        mediator_idle=timedelta(minutes=settings.mediator_idle_minutes),
        public_base_url=settings.public_base_url,
    )
