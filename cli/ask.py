"""`union-assistant ask` and `union-assistant eval`: try and measure the assistant from a terminal."""

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from bot.assistant import Assistant, format_answer
from bot.answer import compose
from cli.context import settings
from index.evaluate import evaluate, load_items
from index.holder import IndexMissing


def _assistant() -> Assistant:
    assistant = Assistant.from_settings(settings())
    assistant.start()
    return assistant


def ask(
    question: Annotated[str, typer.Argument(help="The question, as a worker would ask it")],
    top: Annotated[int, typer.Option("--top", help="How many passages to list")] = 5,
) -> None:
    """Print the answer, the top passages with scores, and the time taken."""
    try:
        assistant = _assistant()
        started = time.perf_counter()
        result = assistant.search(question, k=max(top, 10))
        answer = compose(result)
        elapsed = (time.perf_counter() - started) * 1000
    except IndexMissing as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(format_answer(answer))
    typer.echo("\n--- top passages ---")
    for hit in answer.passages[:top]:
        typer.echo(f"{hit.score:8.3f}  {hit.passage.kind:<8} {hit.passage.title}")
    channel = "lexical+dense" if result.dense_used else "lexical"
    typer.echo(f"--- {elapsed:.1f} ms ({channel}, coverage {result.coverage:.2f}) ---")


def eval_(
    file: Annotated[Path, typer.Argument(help="JSON Lines: {question, gold: [{law, article}]}", exists=True)],
    k: Annotated[int, typer.Option(help="Articles ranked per question")] = 10,
) -> None:
    """Recall@1/5/10, MRR@10 and latency; the last line is one JSON object."""
    try:
        assistant = _assistant()
        items = load_items(file)
    except (IndexMissing, ValueError) as error:
        typer.secho(str(error), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None

    report = evaluate(lambda q: _ranked(assistant, q, k), items)
    summary = report.summary()
    typer.echo(f"questions: {report.n}")
    typer.echo("  ".join(f"{key} {value}" for key, value in summary.items() if key != "n"))
    for source, scores in report.per_source.items():
        typer.echo(f"  {source:<20}" + "  ".join(f"{key} {value:.3f}" for key, value in scores.items()))
    typer.echo(json.dumps(summary))


def _ranked(assistant: Assistant, question: str, k: int) -> list[tuple[str, int]]:
    """Statute articles for the question, best first; the answer is composed too, so latency is an `ask`'s."""
    result = assistant.search(question, k)
    compose(result)
    return [(hit.passage.meta["law"], hit.passage.meta["number"]) for hit in result.articles]
