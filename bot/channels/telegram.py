"""Telegram through python-telegram-bot: updates to `Inbound`, replies to messages with inline keyboards.

The same PTB `Application` serves long polling (`union-assistant telegram poll`) and the webhook
(`POST /telegram/webhook`). Each update is claimed once in the database, so a redelivery (a webhook
retry, polling restarted before its offset was confirmed, another app worker) reaches the engine once.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Iterator
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.feedback import is_feedback
from bot.gateway import Gateway
from core.logs import mask_user_id
from core.messages import Channel, Inbound, InboundKind, Reply
from core.outbound import DeliveryError
from core.settings import Settings
from core.wording import render

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CALLBACK_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # bytes
BUTTONS_PER_ROW = 2
CONCURRENT_UPDATES = 32
MEDIA = ("photo", "voice", "video", "video_note", "audio", "document", "sticker", "animation")


def file_url(base_url: str) -> str:
    """The file endpoint beside the API endpoint: https://host/bot → https://host/file/bot."""
    head, _, last = base_url.rpartition("/")
    return f"{head}/file/{last}"


def to_inbound(update: Update) -> Inbound | None:
    """The engine's envelope; None for what the engine has nothing to say to (polls, contacts, edits)."""
    user = update.effective_user
    if user is None:
        return None
    user_id = str(user.id)
    if update.callback_query is not None:
        data = update.callback_query.data
        return Inbound.text_message(Channel.TELEGRAM, user_id, data) if data else None
    message = update.message
    if message is None:
        return None
    if message.location is not None:
        latitude, longitude = message.location.latitude, message.location.longitude
        return Inbound(Channel.TELEGRAM, user_id, InboundKind.LOCATION, latitude=latitude, longitude=longitude)
    if any(getattr(message, kind) for kind in MEDIA):
        return Inbound(Channel.TELEGRAM, user_id, InboundKind.MEDIA)
    if not message.text:
        return None
    command = _command(message)
    if command == "start":
        return Inbound(Channel.TELEGRAM, user_id, InboundKind.SUBSCRIBE)
    if command == "help":
        return Inbound.text_message(Channel.TELEGRAM, user_id, "帮助")
    return Inbound.text_message(Channel.TELEGRAM, user_id, message.text)


def _command(message: Message) -> str | None:
    """`/start`, `/start@union_bot` or `/start payload` → "start"."""
    entity = message.entities[0] if message.entities else None
    if entity is None or entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0 or not message.text:
        return None
    return message.text[1 : entity.length].split("@")[0].lower()


def update_key(bot: Bot, update: Update) -> str:
    """update_id counts per bot; the token's numeric prefix is the bot's id."""
    return f"telegram:{bot.token.split(':')[0]}:{update.update_id}"


def messages_for(reply: Reply, remembered: bool) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The reply as Telegram messages: long texts split, the keyboard under the last part."""
    parts = split_text(reply.text)
    markup = keyboard(reply, remembered)
    return [(part, None) for part in parts[:-1]] + [(parts[-1], markup)]


def keyboard(reply: Reply, remembered: bool) -> InlineKeyboardMarkup | None:
    """Buttons send their payload back; a payload over Telegram's 64 bytes is sent as the button's number,
    which the engine resolves against the buttons it remembered — so only for `remembered` replies.
    有用 / 没用 come last, on a row of their own."""
    buttons, feedback = [], []
    for number, button in enumerate(reply.buttons, 1):
        if is_feedback(button):
            feedback.append(InlineKeyboardButton(button.label, callback_data=button.payload))
        elif len(button.payload.encode()) <= CALLBACK_LIMIT:
            buttons.append(InlineKeyboardButton(button.label, callback_data=button.payload))
        elif remembered:
            buttons.append(InlineKeyboardButton(button.label, callback_data=str(number)))
        else:
            logger.warning("telegram button %d left out: its payload is too long for callback data", number)
    rows = [buttons[start : start + BUTTONS_PER_ROW] for start in range(0, len(buttons), BUTTONS_PER_ROW)]
    if link := reply.absolute_link:
        rows.append([InlineKeyboardButton(render("telegram_link.j2", label=reply.link_label), url=link)])
    if feedback:
        rows.append(feedback)
    return InlineKeyboardMarkup(rows) if rows else None


def split_text(text: str, limit: int = TEXT_LIMIT, separators: tuple[str, ...] = ("\n\n", "\n")) -> list[str]:
    """Parts of at most `limit` UTF-16 units (Telegram's count), cut between paragraphs, then lines."""
    if _units(text) <= limit:
        return [text]
    if not separators:
        return list(_hard_cut(text, limit))
    separator, finer = separators[0], separators[1:]
    parts: list[str] = []
    current = ""
    for piece in text.split(separator):
        for part in split_text(piece, limit, finer):
            joined = f"{current}{separator}{part}" if current else part
            if _units(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = part
    parts.append(current)
    return [part for part in parts if part.strip()]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _hard_cut(text: str, limit: int) -> Iterator[str]:
    """A single line longer than a message: cut by length, never inside a surrogate pair."""
    current, size = "", 0
    for char in text:
        width = _units(char)
        if size + width > limit:
            yield current
            current, size = "", 0
        current, size = current + char, size + width
    if current:
        yield current


async def send_replies(bot: Bot, chat_id: int | str, replies: list[Reply]) -> None:
    """The engine remembers the buttons of its last reply only; numbered buttons are valid there."""
    for position, reply in enumerate(replies, 1):
        for text, markup in messages_for(reply, remembered=position == len(replies)):
            await bot.send_message(chat_id, text, reply_markup=markup)


class OrderPerWorker(BaseUpdateProcessor):
    """Different workers are answered concurrently, one worker's updates in order: a button press and the
    location sent right after it must reach the engine in that order, or the location misses the flow."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: Counter[int] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user.id, asyncio.Lock())
        self._waiting[user.id] += 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[user.id] -= 1
            if not self._waiting[user.id]:
                del self._waiting[user.id], self._locks[user.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class Conversations:
    """PTB callbacks: one update in, the engine's replies out, each update handled once."""

    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        inbound = to_inbound(update)
        if inbound is None:
            return
        key = update_key(context.bot, update)
        handled = await asyncio.to_thread(self.gateway.handle_once, key, inbound)
        if handled is None:
            logger.info("telegram update %s already handled", key)
            return
        logger.info("telegram %s from %s (%d chars)", inbound.kind, mask_user_id(inbound.user_id),
                    len(inbound.text))
        try:
            if update.callback_query is not None:
                await self._acknowledge(update)
            chat = update.effective_chat
            await send_replies(context.bot, chat.id if chat else inbound.user_id, handled.replies)
        except TelegramError as error:
            logger.warning("telegram reply to %s not delivered: %s", mask_user_id(inbound.user_id),
                           describe(error))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """PTB's default handler logs the whole update, message text included; ids only here."""
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("telegram update %s failed", update_id, exc_info=context.error)

    @staticmethod
    async def _acknowledge(update: Update) -> None:
        """Stops the button's spinner; an expired query must not cost the answer."""
        try:
            await update.callback_query.answer()
        except TelegramError as error:
            logger.info("telegram callback query not answered: %s", type(error).__name__)


def build_application(settings: Settings, gateway: Gateway, polling: bool) -> Application:
    """The PTB application on the configured Bot API; without polling it only processes webhook updates."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_url(settings.telegram_api_base_url))
        .concurrent_updates(OrderPerWorker(CONCURRENT_UPDATES))
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    conversations = Conversations(gateway)
    private_messages = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private_messages, conversations.on_update))
    application.add_handler(CallbackQueryHandler(conversations.on_update))
    application.add_error_handler(conversations.on_error)
    return application


def new_bot(settings: Settings) -> Bot:
    base_url = settings.telegram_api_base_url
    return Bot(settings.telegram_token, base_url=base_url, base_file_url=file_url(base_url))


class TelegramSender:
    """The `Sender` for Telegram: messages that are not replies (a mediator's answer, a reminder).

    `send` is synchronous, so each call runs its own event loop with its own Bot; call it from a worker
    thread, not from async code.
    """

    channel = Channel.TELEGRAM

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> "TelegramSender":
        return cls(settings)

    def send(self, user_id: str, reply: Reply) -> None:
        try:
            asyncio.run(self._deliver(user_id, reply))
        except TelegramError as error:
            raise delivery_error(error) from error
        logger.info("telegram message sent to %s", mask_user_id(user_id))

    async def _deliver(self, user_id: str, reply: Reply) -> None:
        """Not a reply: the engine's remembered buttons are another message's, so no numbered buttons."""
        async with new_bot(self.settings) as bot:
            for text, markup in messages_for(reply, remembered=False):
                await bot.send_message(user_id, text, reply_markup=markup)


def describe(error: TelegramError) -> str:
    """In words an operator can act on; InvalidToken's own message would print the token."""
    if isinstance(error, InvalidToken):
        return "Telegram rejected the bot token (check TELEGRAM_TOKEN)"
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return f"Telegram API unreachable ({type(error).__name__})"
    return f"Telegram answered: {error.message}"


def delivery_error(error: TelegramError) -> DeliveryError:
    if isinstance(error, Forbidden):
        return DeliveryError(f"the worker blocked the bot or never started a chat with it ({error.message})")
    return DeliveryError(describe(error))
