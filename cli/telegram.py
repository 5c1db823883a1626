"""`union-assistant telegram`: answer by long polling, or register the webhook that `serve` answers."""

import asyncio
from typing import Annotated

import typer
from telegram.error import TelegramError

from bot.channels.telegram import ALLOWED_UPDATES, build_application, describe, new_bot
from api.services import build_services
from cli.context import database, settings
from core.settings import Settings

app = typer.Typer(help="Telegram bot.", no_args_is_help=True)


@app.command()
def poll() -> None:
    """Answer the bot by long polling until Ctrl-C; no public address needed. Removes a registered webhook."""
    config = _configured()
    services = build_services(config, database())
    application = build_application(config, services.gateway, polling=True)
    try:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except TelegramError as error:
        typer.echo(f"Telegram polling stopped: {describe(error)}", err=True)
        raise typer.Exit(1) from None
    finally:
        services.database.dispose()


@app.command("set-webhook")
def set_webhook(
    url: Annotated[str, typer.Argument(help="Public HTTPS address, e.g. https://example.org/telegram/webhook")],
) -> None:
    """Have Telegram deliver updates to URL (served by `union-assistant serve`) with the secret token."""
    config = _configured()
    if not config.telegram_webhook_secret:
        typer.echo("Set TELEGRAM_WEBHOOK_SECRET first (1-256 characters: A-Z, a-z, 0-9, _ and -).", err=True)
        raise typer.Exit(2)
    try:
        asyncio.run(_register(config, url))
    except TelegramError as error:
        typer.echo(f"Telegram did not take the webhook: {describe(error)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Webhook set: {url}")


async def _register(config: Settings, url: str) -> None:
    async with new_bot(config) as bot:
        secret = config.telegram_webhook_secret
        await bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)


def _configured() -> Settings:
    config = settings()
    if not config.telegram_token:
        typer.echo("Set TELEGRAM_TOKEN first (from @BotFather).", err=True)
        raise typer.Exit(2)
    return config
