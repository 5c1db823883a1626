"""Entry point of the `union-assistant` console script."""

import typer

from cli import ask, db, events, index_cmd, kb, members, privacy, serve, telegram, tickets, users, wechat

app = typer.Typer(
    help="Union assistant: answers workers' legal and service questions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(kb.app, name="kb")
app.add_typer(index_cmd.app, name="index")
app.add_typer(wechat.app, name="wechat")
app.add_typer(telegram.app, name="telegram")
app.add_typer(users.app, name="user")
app.add_typer(tickets.app, name="tickets")
app.add_typer(events.app, name="events")
app.add_typer(members.app, name="members")
app.add_typer(privacy.app, name="privacy")
app.add_typer(db.app, name="db")
app.command()(ask.ask)
app.command("eval")(ask.eval_)
app.command()(serve.serve)

if __name__ == "__main__":
    app()
