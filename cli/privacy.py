"""`union-assistant privacy`: a worker's requests under PIPL — a copy of their data, or its erasure."""

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer

from cli.context import database
from core.audit import audit
from core.logs import mask_user_id
from core.privacy import Person, PrivacyError, erase as erase_person, export as export_person, find_person
from core.validation import mask_phone, parse_mobile

app = typer.Typer(help="Workers' personal data: a copy of everything held, or its erasure (both audited).",
                  no_args_is_help=True)

PhoneOption = Annotated[str | None, typer.Option("--phone", help="The worker's mobile number")]
OPENID_HELP = "The worker's chat user id (WeChat openid, Telegram id, web session)"
OpenidOption = Annotated[str | None, typer.Option("--openid", help=OPENID_HELP)]


def _selector(phone: str | None, openid: str | None) -> tuple[str | None, str | None, str]:
    """The phone (normalised) or user id, and how the audit log names the request without either in clear."""
    if (phone is None) == (openid is None):
        raise typer.BadParameter("give exactly one of --phone and --openid")
    if phone is not None:
        mobile = parse_mobile(phone)
        if mobile is None:
            raise typer.BadParameter(f"not a mainland mobile number: {phone}", param_hint="--phone")
        return mobile, None, f"phone {mask_phone(mobile)}"
    return None, openid.strip(), f"user {mask_user_id(openid.strip())}"


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _counts(held: dict[str, object]) -> str:
    return ", ".join(f"{name}={len(value)}" for name, value in held.items() if isinstance(value, list))


@app.command("export")
def export_(
    phone: PhoneOption = None,
    openid: OpenidOption = None,
    output: Annotated[Path | None, typer.Option(help="Write the JSON here instead of printing it")] = None,
) -> None:
    """Everything held about one worker, as JSON: memberships, cases, registrations, chats, questions."""
    mobile, user_id, named = _selector(phone, openid)
    with database().session() as session:
        held = export_person(session, find_person(session, mobile, user_id))
        audit(session, _actor(), "privacy.export", f"{named}: {_counts(held)}")
    text = json.dumps(held, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"Written to {output}.")


@app.command()
def erase(
    phone: PhoneOption = None,
    openid: OpenidOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Erase one worker: chats, transcripts, memberships and registrations deleted; cases and questions kept
    for the annual figures with everything personal removed. Refused while the worker has an open case."""
    mobile, user_id, named = _selector(phone, openid)
    with database().session() as session:
        person: Person = find_person(session, mobile, user_id)
        held = export_person(session, person)
    typer.echo(f"Held about {named}: {_counts(held)}")
    if not yes:
        typer.confirm("Erase all of it? This cannot be undone", abort=True)
    try:
        with database().session() as session:
            erased = erase_person(session, find_person(session, mobile, user_id))
            detail = ", ".join(f"{name}={count}" for name, count in erased.items())
            audit(session, _actor(), "privacy.erase", f"{named}: {detail}")
    except PrivacyError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Erased {named}: {detail}")
