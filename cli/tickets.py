"""`union-assistant tickets`: the dispute cases, from a terminal."""

import getpass
import json
from typing import Annotated

import typer

from cli.context import database
from core.audit import audit
from core.tickets import Category, QueueFilter, Status, Ticket, queue
from core.validation import mask_phone

app = typer.Typer(help="Dispute cases handed to mediators.", no_args_is_help=True)


def _row(ticket: Ticket, reveal: bool) -> dict[str, object]:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "category": Category(ticket.category).label,
        "area": ticket.area,
        "employer": ticket.employer,
        "amount_claimed": str(ticket.amount_claimed) if ticket.amount_claimed is not None else None,
        "worker_name": ticket.worker_name if reveal or not ticket.worker_name else f"{ticket.worker_name[0]}**",
        "phone": ticket.phone if reveal else mask_phone(ticket.phone),
        "description": ticket.description if reveal else f"（{len(ticket.description)}字，--reveal 查看）",
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "created_at": ticket.created_at.isoformat(timespec="seconds"),
        "overdue": ticket.overdue(),
        "outcome": ticket.outcome,
        "amount_recovered": str(ticket.amount_recovered) if ticket.amount_recovered is not None else None,
        "rating": ticket.rating,
    }


@app.command("list")
def list_(
    status: Annotated[Status | None, typer.Option(help="Only cases in this status")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array")] = False,
    reveal: Annotated[bool, typer.Option(help="Show phone numbers and case details (audited)")] = False,
) -> None:
    """Cases oldest first; personal data masked unless --reveal, which is recorded in the audit log."""
    with database().session() as session:
        tickets = queue(session, QueueFilter(status=status))
        rows = [_row(ticket, reveal) for ticket in tickets]
        if reveal:
            audit(session, f"cli:{getpass.getuser()}", "tickets.reveal", f"{len(rows)} cases, status={status}")
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        flag = " 超时" if row["overdue"] else ""
        typer.echo(
            f"{row['number']}\t{row['status']}{flag}\t{row['category']}\t{row['area'] or '-'}\t"
            f"{row['employer']}\t{row['phone']}\t{row['assignee'] or '-'}"
        )
    if not rows:
        typer.echo("No cases.")
