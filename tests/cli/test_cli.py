"""The console script, run as an operator would: a real process with settings in its environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.knowledge import FIXTURE_CARDS, FIXTURE_LAWS

EXE = Path(sys.executable).parent / "union-assistant"


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"DATA_DIR": str(data_dir), "CARDS_DIR": str(FIXTURE_CARDS), "EMBEDDING_MODEL": ""}
    env.pop("DATABASE_URL", None)
    return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=120, cwd=data_dir)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli")
    result = run(path, "kb", "import", str(FIXTURE_LAWS / "示例职工权益条例(2022-01-01).md"), str(FIXTURE_LAWS / "示例调解办法.txt"))
    assert result.returncode == 0, result.stderr
    return path


@pytest.mark.parametrize(
    "command", [[], ["kb"], ["kb", "import"], ["kb", "list"], ["index"], ["index", "build"], ["index", "status"],
                ["ask"], ["eval"], ["serve"]]
)
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    result = run(tmp_path, *command, "--help")
    assert result.returncode == 0 and "Usage" in result.stdout


def test_import_reports_each_law_and_builds_the_index(data_dir: Path) -> None:
    listing = run(data_dir, "kb", "list")
    assert "示例职工权益条例\t2022-01-01\t5 articles" in listing.stdout
    status = json.loads(run(data_dir, "index", "status").stdout)
    assert status["counts"]["article"] == 8


def test_broken_import_names_file_and_line_and_changes_nothing(data_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "破损条例(2020-01-01).md"
    broken.write_text("# 破损条例\n\n第一条 一。\n\n第三条 三。\n", encoding="utf-8")
    result = run(data_dir, "kb", "import", str(broken))
    assert result.returncode == 1
    assert f"{broken}:5" in result.stderr and "Nothing imported" in result.stderr
    assert "破损条例" not in run(data_dir, "kb", "list").stdout


def test_ask_prints_answer_passages_and_time(data_dir: Path) -> None:
    result = run(data_dir, "ask", "单位拖着不发工资怎么办")
    assert result.returncode == 0, result.stderr
    assert "《示例职工权益条例》第三条：“" in result.stdout
    assert "--- top passages ---" in result.stdout and "card     单位拖延发工资" in result.stdout
    assert " ms (lexical" in result.stdout


def test_eval_prints_metrics_and_a_json_last_line(data_dir: Path, tmp_path: Path) -> None:
    items = tmp_path / "eval.jsonl"
    items.write_text(
        json.dumps({"id": "t:1", "question": "工资晚发了一个多月", "gold": [{"law": "示例职工权益条例(2022-01-01)", "article": 3}]},
                   ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    result = run(data_dir, "eval", str(items))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["recall@1"] == 1.0 and summary["mrr@10"] == 1.0 and summary["n"] == 1


def test_ask_without_an_index_explains_what_to_do(tmp_path: Path) -> None:
    result = run(tmp_path, "ask", "年假")
    assert result.returncode == 1 and "index build" in result.stderr
