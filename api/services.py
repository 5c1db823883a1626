"""The composition root: everything the web app and the command line share, built once from settings."""

from dataclasses import dataclass
from datetime import timedelta

from bot.assistant import Assistant
from bot.channels.telegram import TelegramSender
from bot.channels.web import WebSender
from bot.channels.wechat_api import WeChatSender
from bot.engine import Engine, build_engine
from bot.gateway import Gateway
from core.cache import SharedCache
from core.casework import Casework, NoticeSender
from core.db import Database
from core.event_desk import EventDesk
from core.membership import Membership
from core.messages import Channel
from core.notifications import ticket_notifier
from core.outbound import Outbound
from core.reminders import ReminderScheduler
from core.settings import Settings


@dataclass
class Services:
    settings: Settings
    database: Database
    assistant: Assistant
    engine: Engine
    gateway: Gateway
    outbound: Outbound
    casework: Casework
    membership: Membership
    events: EventDesk
    reminders: ReminderScheduler


def build_services(settings: Settings, database: Database | None = None) -> Services:
    database = database or Database(settings.effective_database_url)
    database.migrate()
    assistant = Assistant.from_settings(settings, database)
    assistant.start()
    outbound = build_outbound(settings, database)
    desk = EventDesk(database, outbound, settings.timezone)
    engine = build_engine(
        settings, database, assistant, notify=ticket_notifier(settings), promoted=desk.tell_promoted
    )
    reminders = ReminderScheduler(
        desk, timedelta(hours=settings.reminder_lead_hours), settings.reminder_interval_seconds
    )
    return Services(
        settings=settings,
        database=database,
        assistant=assistant,
        engine=engine,
        gateway=Gateway(engine, database, assistant),
        outbound=outbound,
        casework=Casework(database, outbound, wechat_notice(settings, outbound)),
        membership=Membership(database, outbound),
        events=desk,
        reminders=reminders,
    )


def build_outbound(settings: Settings, database: Database) -> Outbound:
    """Senders for every configured channel; web chat needs no configuration."""
    outbound = Outbound()
    outbound.register(WebSender(database))
    if settings.telegram_token:
        outbound.register(TelegramSender.from_settings(settings))
    if settings.wechat_app_id and settings.wechat_app_secret:
        outbound.register(WeChatSender.from_settings(settings, SharedCache(database)))
    return outbound


def wechat_notice(settings: Settings, outbound: Outbound) -> NoticeSender | None:
    """The fallback notice for a closed WeChat window, when a template is configured."""
    sender = outbound.senders.get(Channel.WECHAT)
    template_id = settings.wechat_notice_template_id
    if not (template_id and isinstance(sender, WeChatSender)):
        return None
    return lambda user_id, number: sender.send_notice(user_id, template_id, number)
