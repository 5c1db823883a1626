"""`union-assistant events`: create events, list them and their registrations, send due reminders."""

import json
from datetime import datetime, timedelta, timezone
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from api.services import build_outbound
from cli.context import database, settings
from core.clock import aware
from core.event_desk import EventDesk
from core.events import Event, EventKind, RegistrationStatus, all_events, places_left, registrations_of_event
from core.validation import mask_phone

app = typer.Typer(help="Union events and registrations.", no_args_is_help=True)


def _moment(text: str | None, option: str) -> datetime | None:
    """ISO 8601 as UTC, which is what events store; without an offset it is local time (TIMEZONE).

    Converted here because SQLite keeps a datetime's wall time and drops its offset.
    """
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 date-time: {text}", param_hint=option) from None
    local = moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(settings().timezone))
    return local.astimezone(timezone.utc)


def _local(moment: datetime | None) -> str | None:
    """A stored time as local ISO 8601 with its offset, as the operator typed it."""
    return aware(moment).astimezone(ZoneInfo(settings().timezone)).isoformat() if moment else None


@app.command()
def create(
    title: Annotated[str, typer.Option(help="Event title")],
    start: Annotated[str, typer.Option(help="Start, ISO 8601 (local time unless an offset is given)")],
    capacity: Annotated[int, typer.Option(min=1, help="Places; later registrations are waitlisted")],
    end: Annotated[str | None, typer.Option(help="End, ISO 8601")] = None,
    place: Annotated[str, typer.Option(help="Where it happens")] = "",
    members_only: Annotated[bool, typer.Option(help="Only approved union members may register")] = False,
    deadline: Annotated[str | None, typer.Option(help="Registration deadline, ISO 8601 (default: the start)")] = None,
    kind: Annotated[EventKind, typer.Option(help="Kind of event")] = EventKind.OTHER,
    description: Annotated[str, typer.Option(help="Shown to workers in chat")] = "",
) -> None:
    """Create an event and print its id."""
    starts, ends, closes = _moment(start, "--start"), _moment(end, "--end"), _moment(deadline, "--deadline")
    if ends is not None and ends <= starts:
        raise typer.BadParameter("the end must be after the start", param_hint="--end")
    if closes is not None and closes > starts:
        raise typer.BadParameter("the deadline must not be after the start", param_hint="--deadline")
    with database().session() as session:
        event = Event(
            title=title, kind=kind, starts_at=starts, ends_at=ends, place=place, capacity=capacity,
            members_only=members_only, registration_deadline=closes, description=description,
        )
        session.add(event)
        session.flush()
        typer.echo(event.id)


def _event_row(session, event: Event) -> dict[str, object]:
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "start": _local(event.starts_at),
        "end": _local(event.ends_at),
        "place": event.place,
        "capacity": event.capacity,
        "places_left": places_left(session, event),
        "members_only": event.members_only,
        "deadline": _local(event.closes_at),
    }


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="One JSON array")] = False) -> None:
    """All events, newest first."""
    with database().session() as session:
        rows = [_event_row(session, event) for event in all_events(session)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['id']}\t{row['start']}\t{row['title']}\t{row['capacity'] - row['places_left']}/{row['capacity']}")
    if not rows:
        typer.echo("No events.")


@app.command()
def registrations(
    event_id: Annotated[int, typer.Argument(help="Event id")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array")] = False,
) -> None:
    """Registrations of an event in order, each with its status; phone numbers masked."""
    with database().session() as session:
        if session.get(Event, event_id) is None:
            typer.secho(f"No event {event_id}.", fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "phone": mask_phone(r.phone),
                "status": r.status,
                "registered_at": _local(r.created_at),
                "code": r.code,
            }
            for r in registrations_of_event(session, event_id)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        label = RegistrationStatus(row["status"]).label
        typer.echo(f"{row['id']}\t{row['status']}\t{label}\t{row['name']}\t{row['phone']}\t{row['registered_at']}")


@app.command()
def remind() -> None:
    """Send reminders that are due now (the server does this on its own; this is for cron or a manual run)."""
    config = settings()
    desk = EventDesk(database(), build_outbound(config, database()), config.timezone)
    typer.echo(f"{desk.send_reminders(timedelta(hours=config.reminder_lead_hours))} reminders sent.")
