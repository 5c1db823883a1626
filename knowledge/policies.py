"""Union policies: Markdown documents, one answerable passage per `##` section.

A section is prose, optionally followed by labelled list items that an answer can quote on their own:

    - 条件：who qualifies (any number)
    - 办理：a step to take (any number, in order)
    - 下一步：入会 | 活动报名 | 服务站点 | 调解 (the next step the assistant offers)

Other lines, `>` notes excepted, are part of the prose.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.cards import Action

BUNDLED_POLICIES = Path(__file__).parent / "policies"
CONDITION, STEP, NEXT = "条件", "办理", "下一步"
NEXT_STEPS = {"入会": Action.JOIN, "活动报名": Action.EVENTS, "服务站点": Action.STATIONS, "调解": Action.MEDIATION}
LABELLED = re.compile(rf"^[-*]\s*({CONDITION}|{STEP}|{NEXT})[：:]\s*(.+)$")


@dataclass(frozen=True)
class PolicySection:
    policy_id: str
    policy_title: str
    heading: str
    text: str
    conditions: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    action: Action | None = None

    @property
    def id(self) -> str:
        return f"{self.policy_id}#{self.heading}"

    @property
    def label(self) -> str:
        """《入会须知》·会员服务卡 — how an answer names its source, like an article."""
        return f"《{self.policy_title}》·{self.heading}"


class PolicyError(ValueError):
    pass


@dataclass
class _Draft:
    heading: str
    prose: list[str]
    conditions: list[str]
    steps: list[str]
    action: Action | None = None


def load_policy(path: Path) -> list[PolicySection]:
    return parse_policy(path.stem, path.read_text(encoding="utf-8"), str(path))


def parse_policy(policy_id: str, text: str, source: str) -> list[PolicySection]:
    """Sections of one policy; the `# ` line is its title and text before the first `## ` is its summary."""
    lines = text.splitlines()
    titles = [line[2:].strip() for line in lines if line.startswith("# ")]
    if not titles:
        raise PolicyError(f"{source}: a policy starts with a '# title' line")
    title = titles[0]
    sections: list[PolicySection] = []
    draft = _Draft("概述", [], [], [])
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if line.startswith("# ") or not stripped or stripped.startswith(">"):
            continue
        if line.startswith("## "):
            _close(sections, policy_id, title, draft)
            draft = _Draft(line[3:].strip(), [], [], [])
        elif labelled := LABELLED.match(stripped):
            _add(draft, labelled.group(1), labelled.group(2).strip(), f"{source}:{number}")
        else:
            draft.prose.append(stripped)
    _close(sections, policy_id, title, draft)
    if not sections:
        raise PolicyError(f"{source}: the policy has no text")
    return sections


def _add(draft: _Draft, label: str, value: str, where: str) -> None:
    if label == CONDITION:
        draft.conditions.append(value)
    elif label == STEP:
        draft.steps.append(value)
    elif value not in NEXT_STEPS:
        raise PolicyError(f"{where}: {NEXT} must be one of {'、'.join(NEXT_STEPS)}, not {value}")
    else:
        draft.action = NEXT_STEPS[value]


def _close(sections: list[PolicySection], policy_id: str, title: str, draft: _Draft) -> None:
    if draft.prose or draft.conditions or draft.steps:
        sections.append(
            PolicySection(
                policy_id,
                title,
                draft.heading,
                "\n".join(draft.prose),
                tuple(draft.conditions),
                tuple(draft.steps),
                draft.action,
            )
        )


def load_policies(directory: Path | None = None) -> list[PolicySection]:
    root = directory or BUNDLED_POLICIES
    return [section for path in sorted(root.glob("*.md")) for section in load_policy(path)]
