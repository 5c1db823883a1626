"""`union-assistant wechat`: set up the Official Account."""

import typer

from bot.channels.wechat import menu_layout
from bot.channels.wechat_api import WeChatSender
from cli.context import database, settings
from core.cache import SharedCache
from core.outbound import DeliveryError

app = typer.Typer(help="WeChat Official Account.", no_args_is_help=True)
menu = typer.Typer(help="The custom menu at the bottom of the chat.", no_args_is_help=True)
app.add_typer(menu, name="menu")


@menu.command("push")
def push() -> None:
    """Set the custom menu: 法律咨询, 维权求助, and 工会服务 (活动报名 / 服务站点 / 入会)."""
    config = settings()
    if not (config.wechat_app_id and config.wechat_app_secret):
        typer.echo("Set WECHAT_APP_ID and WECHAT_APP_SECRET first.", err=True)
        raise typer.Exit(2)
    layout = menu_layout()
    try:
        WeChatSender.from_settings(config, SharedCache(database())).push_menu(layout)
    except DeliveryError as error:
        typer.echo(f"WeChat did not take the menu: {error.reason}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Menu pushed: {describe(layout)}")


def describe(layout: dict) -> str:
    """法律咨询 / 维权求助 / 工会服务 (活动报名 / 服务站点 / 入会)"""
    names = []
    for button in layout["button"]:
        subs = " / ".join(sub["name"] for sub in button.get("sub_button", []))
        names.append(f"{button['name']} ({subs})" if subs else button["name"])
    return " / ".join(names)
