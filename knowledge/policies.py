"""Union policies: Markdown documents, one passage per `##` section."""

from dataclasses import dataclass
from pathlib import Path

BUNDLED_POLICIES = Path(__file__).parent / "policies"


@dataclass(frozen=True)
class PolicySection:
    policy_id: str
    policy_title: str
    heading: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.policy_id}#{self.heading}"


class PolicyError(ValueError):
    pass


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
    heading, body = "概述", []
    for line in lines:
        if line.startswith("# "):
            continue
        if line.startswith("## "):
            _close(sections, policy_id, title, heading, body)
            heading, body = line[3:].strip(), []
        elif line.strip() and not line.lstrip().startswith(">"):
            body.append(line.strip())
    _close(sections, policy_id, title, heading, body)
    if not sections:
        raise PolicyError(f"{source}: the policy has no text")
    return sections


def _close(sections: list[PolicySection], policy_id: str, title: str, heading: str, body: list[str]) -> None:
    if body:
        sections.append(PolicySection(policy_id, title, heading, "\n".join(body)))


def load_policies(directory: Path | None = None) -> list[PolicySection]:
    root = directory or BUNDLED_POLICIES
    return [section for path in sorted(root.glob("*.md")) for section in load_policy(path)]
