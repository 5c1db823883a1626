"""`union-assistant members`: membership applications and approvals."""

import getpass
import json
from typing import Annotated

import typer
from sqlalchemy import select

from api.services import build_outbound
from cli.context import database, settings
from core.audit import audit
from core.membership import Membership
from core.members import Member, MemberStatus, MembershipError, search_members
from core.users import Role, User
from core.validation import mask_phone

app = typer.Typer(help="Union members.", no_args_is_help=True)


@app.command("list")
def list_(
    status: Annotated[MemberStatus | None, typer.Option(help="Only members in this status")] = None,
    search: Annotated[str, typer.Option(help="Name, phone, employer, platform or member number contains")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array")] = False,
) -> None:
    """Members, newest first; phone numbers masked."""
    with database().session() as session:
        rows = [
            {
                "id": m.id,
                "number": m.number,
                "name": m.name,
                "phone": mask_phone(m.phone),
                "employer": m.employer,
                "platform": m.platform,
                "occupation": m.occupation,
                "gig": m.gig,
                "status": m.status,
                "applied_at": m.created_at.isoformat(),
            }
            for m in search_members(session, search, status)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        work = row["employer"] or f"{row['occupation']}@{row['platform']}"
        typer.echo(f"{row['id']}\t{row['status']}\t{row['number'] or '-'}\t{row['name']}\t{row['phone']}\t{work}")
    if not rows:
        typer.echo("No members.")


@app.command()
def approve(
    member_id: Annotated[int, typer.Argument(help="Member id (see `members list`)")],
    admin: Annotated[str, typer.Option(help="Admin account recorded as the approver")] = "",
) -> None:
    """Approve an application; the worker receives the member number in chat."""
    db = database()
    with db.session() as session:
        query = select(User).where(User.role == Role.ADMIN, User.active.is_(True))
        approver = session.scalar(query.where(User.username == admin) if admin else query.order_by(User.id))
        if approver is None:
            typer.secho("No admin account: create one with `union-assistant user create --role admin`.",
                        fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
        approver_id, approver_name = approver.id, approver.username
    try:
        told = Membership(db, build_outbound(settings(), db)).approve(member_id, approver_id)
    except MembershipError as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    with db.session() as session:
        number = session.get(Member, member_id).number
        audit(session, f"cli:{getpass.getuser()}", "member.approve", f"member {member_id} as {approver_name}")
    typer.echo(f"Approved member {member_id}: {number}" + ("" if told else " (the worker could not be messaged)"))
