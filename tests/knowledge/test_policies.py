"""Union policies as answerable passages: prose, conditions, steps and the next step of each section."""

import re
from pathlib import Path

import pytest

from knowledge.cards import Action
from knowledge.policies import PolicyError, load_policies, load_policy
from knowledge.statutes import parse_statute


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sample-policy.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_labelled_items_become_conditions_steps_and_the_next_step(tmp_path: Path) -> None:
    [section] = load_policy(write(tmp_path, (
        "# 示例办法\n\n> 示例内容\n\n## 怎么申请\n\n先看说明。\n\n"
        "- 条件：本会会员。\n- 办理：填表。\n- 办理：交到服务中心。\n- 下一步：服务站点\n- 带上身份证。\n"
    )))
    assert section.id == "sample-policy#怎么申请" and section.label == "《示例办法》·怎么申请"
    assert section.conditions == ("本会会员。",) and section.steps == ("填表。", "交到服务中心。")
    assert section.action == Action.STATIONS
    assert section.text == "先看说明。\n- 带上身份证。"


def test_an_unknown_next_step_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="sample-policy.md:4"):
        load_policy(write(tmp_path, "# 示例办法\n## 节\n正文。\n- 下一步：吃饭\n"))


def test_a_policy_without_a_title_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="title"):
        load_policy(write(tmp_path, "## 节\n正文。\n"))


def test_every_bundled_section_has_prose_and_the_ones_that_offer_something_say_how() -> None:
    sections = load_policies()
    assert len(sections) >= 30
    assert all(section.text for section in sections)
    ids = [section.id for section in sections]
    assert len(ids) == len(set(ids))
    doable = {"membership#怎么入会", "hardship-relief#申请方式", "legal-aid#代理仲裁和诉讼", "membership#会员服务卡",
              "activities-competitions#报名方式", "new-employment-forms#入会方式"}
    by_id = {section.id: section for section in sections}
    assert all(by_id[i].steps and by_id[i].action for i in doable)


def test_bundled_policies_do_not_copy_statute_text(laws_dir: Path) -> None:
    statutes = "".join(
        re.sub(r"\s", "", "".join("".join(a.paragraphs) for a in parse_statute(path).articles))
        for path in laws_dir.glob("*(*).md")
    )
    for section in load_policies():
        prose = re.sub(r"\s", "", section.text + "".join(section.conditions + section.steps))
        copied = [prose[i : i + 20] for i in range(len(prose) - 19) if prose[i : i + 20] in statutes]
        assert copied == [], f"{section.id} copies statute text: {copied[0]}"
