"""`union-assistant user`: accounts for mediators and admins."""

import getpass
import sys
from typing import Annotated

import typer

from cli.context import database
from core.audit import audit
from core.users import AccountError, Role, create_user

app = typer.Typer(help="Mediator and admin accounts.", no_args_is_help=True)


@app.command()
def create(
    username: Annotated[str, typer.Option(help="Login name")],
    role: Annotated[Role, typer.Option(help="mediator or admin")],
    name: Annotated[str, typer.Option(help="Name shown to colleagues and workers")] = "",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Create an account; the password comes from a prompt (typed twice) or standard input."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            typer.secho("The passwords differ.", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
    try:
        with database().session() as session:
            user = create_user(session, username, password, role, name)
            audit(session, f"cli:{getpass.getuser()}", "user.create", f"{user.username} ({user.role})")
    except AccountError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Created {role.value} {username}.")
