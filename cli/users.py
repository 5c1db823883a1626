"""`union-assistant user`: accounts for mediators and admins. Every change is in the audit log."""

import getpass
import sys
from collections.abc import Callable
from typing import Annotated, NoReturn

import typer
from sqlalchemy.orm import Session

from cli.context import database
from core.audit import audit
from core.users import AccountError, Role, all_users, create_user, reset_password, set_active, set_role

app = typer.Typer(help="Mediator and admin accounts.", no_args_is_help=True)
Username = Annotated[str, typer.Argument(help="Login name")]
PasswordStdin = Annotated[bool, typer.Option(help="Read the password from standard input")]


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _password(from_stdin: bool) -> str:
    """From a prompt (typed twice) or standard input."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != password:
        _fail("The passwords differ.")
    return password


def _fail(message: str) -> NoReturn:
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command()
def create(
    username: Annotated[str, typer.Option(help="Login name")],
    role: Annotated[Role, typer.Option(help="mediator or admin")],
    name: Annotated[str, typer.Option(help="Name shown to colleagues and workers")] = "",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account; the password comes from a prompt (typed twice) or standard input."""
    password = _password(password_stdin)
    try:
        with database().session() as session:
            user = create_user(session, username, password, role, name)
            audit(session, _actor(), "user.create", f"{user.username} ({user.role})")
    except AccountError as error:
        _fail(str(error))
    typer.echo(f"Created {role.value} {username}.")


@app.command("list")
def list_() -> None:
    """Every account: login name, role, active or disabled, name shown, created."""
    with database().session() as session:
        users = all_users(session)
        for user in users:
            state = "active" if user.active else "disabled"
            typer.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}\t{user.created_at:%Y-%m-%d}")
    if not users:
        typer.echo("No accounts yet. Run: union-assistant user create --username U --role admin")


@app.command()
def disable(username: Username) -> None:
    """Stop an account from logging in; its open console and API sessions end at once."""
    _change(lambda session: set_active(session, _actor(), username, False), f"Disabled {username}.")


@app.command()
def enable(username: Username) -> None:
    """Let a disabled account log in again."""
    _change(lambda session: set_active(session, _actor(), username, True), f"Enabled {username}.")


@app.command("reset-password")
def reset_password_(username: Username, password_stdin: PasswordStdin = False) -> None:
    """Set a new password; the account's open sessions end."""
    password = _password(password_stdin)
    _change(lambda session: reset_password(session, _actor(), username, password), f"New password set for {username}.")


@app.command("set-role")
def set_role_(username: Username, role: Annotated[Role, typer.Argument(help="mediator or admin")]) -> None:
    """Make an account a mediator or an admin (the last active admin stays one)."""
    _change(lambda session: set_role(session, _actor(), username, role), f"{username} is now {role.value}.")


def _change(change: Callable[[Session], object], done: str) -> None:
    try:
        with database().session() as session:
            change(session)
    except AccountError as error:
        _fail(str(error))
    typer.echo(done)
