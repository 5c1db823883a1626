"""Parse official statute texts (Markdown, plain text, .docx) into one record per article.

The parser is strict on purpose: a file whose article numbering jumps or repeats is more likely a
bad copy than a real statute, and importing it would put wrong citations in front of workers.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from knowledge.numerals import NUMERAL_CHARS, parse_numeral

ARTICLE = re.compile(rf"^第([{NUMERAL_CHARS}]+)条(?:之([{NUMERAL_CHARS}]+))?(?:[\s\u3000]+(.*)|$)")
DIVISION = re.compile(rf"^第([{NUMERAL_CHARS}]+)(编|章|节)(?:[\s\u3000]*(.*))?$")
NUMBERED_HEADING = re.compile(r"^([一二三四五六七八九十]+)(?:、(.*))?$")
FILE_DATE = re.compile(r"[(（](\d{4})-(\d{1,2})-(\d{1,2})[)）]\s*$")
TEXT_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
HEADER_END = "<!-- INFO END -->"
SUPPORTED = {".md", ".markdown", ".txt", ".docx"}


class StatuteFormatError(ValueError):
    """A statute file that cannot be imported; names the file and line for the admin."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class ParsedArticle:
    number: int
    sub: int
    label: str
    chapter: str | None
    section: str | None
    paragraphs: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class ParsedStatute:
    title: str
    short_title: str
    version_date: date
    source_name: str
    articles: list[ParsedArticle]


def short_title_of(title: str) -> str:
    """The name workers and the eval set use: the title without the state prefix."""
    return title.replace("中华人民共和国", "").strip()


def read_lines(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise StatuteFormatError(path, None, f"unsupported file type {suffix or '(none)'}; use .md, .txt or .docx")
    if suffix == ".docx":
        return _docx_lines(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise StatuteFormatError(path, line, "not valid UTF-8 text") from None
    return text.splitlines()


def _docx_lines(path: Path) -> list[str]:
    import docx  # python-docx; imported here because only .docx imports need it

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises several unrelated types for broken archives
        raise StatuteFormatError(path, None, f"cannot read .docx: {error}") from None
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if style == "title" or (style.startswith("heading 1") and not lines):
            text = f"# {text}"
        lines.append(text)
    return lines


def parse_statute(path: Path, version_date: date | None = None) -> ParsedStatute:
    lines = read_lines(path)
    return parse_lines(lines, path, version_date)


def preview_statute(path: Path, version_date: date | None = None) -> tuple[ParsedStatute | None, list[StatuteFormatError]]:
    """Parse without stopping at numbering problems, to show them all (with their lines) before an import.

    The statute is None when the file cannot be read as one at all (no title, no date, no articles).
    """
    problems: list[StatuteFormatError] = []
    try:
        parsed = parse_lines(read_lines(path), path, version_date, problems)
    except StatuteFormatError as error:
        return None, [*problems, error]
    return parsed, sorted(problems, key=lambda problem: problem.line or 0)


def parse_lines(
    lines: list[str], path: Path, version_date: date | None = None, problems: list[StatuteFormatError] | None = None
) -> ParsedStatute:
    """Strict unless `problems` is given: then numbering problems are collected there instead of raised."""
    title, title_line = _title(lines, path)
    body_start = _body_start(lines, title_line)
    when = version_date or _file_date(path) or _header_date(lines[title_line + 1 : body_start])
    if when is None:
        raise StatuteFormatError(
            path, title_line + 1, "no version date: name the file 'title(YYYY-MM-DD).md' or pass --version-date"
        )
    articles = _articles(lines, body_start, path, problems)
    if not articles:
        articles = _numbered_sections(lines, body_start, path)
    if not articles:
        raise StatuteFormatError(path, None, "no articles found (expected lines starting with 第…条)")
    return ParsedStatute(title, short_title_of(title), when, path.name, articles)


def _title(lines: list[str], path: Path) -> tuple[str, int]:
    for number, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        text = text.lstrip("#").strip()
        if ARTICLE.match(text) or DIVISION.match(text):
            break
        if text:
            return text, number
    raise StatuteFormatError(path, 1, "no title before the first article")


def _body_start(lines: list[str], title_line: int) -> int:
    for number in range(title_line + 1, len(lines)):
        text = lines[number].strip()
        if text == HEADER_END:
            return number + 1
        if ARTICLE.match(text) or DIVISION.match(text.lstrip("#").strip()):
            return number
    return title_line + 1


def _file_date(path: Path) -> date | None:
    match = FILE_DATE.search(path.stem)
    return _date(match.groups()) if match else None


def _header_date(header: list[str]) -> date | None:
    found = [match.groups() for line in header for match in TEXT_DATE.finditer(line)]
    return _date(found[-1]) if found else None


def _date(parts: tuple[str, ...]) -> date | None:
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _articles(
    lines: list[str], start: int, path: Path, problems: list[StatuteFormatError] | None
) -> list[ParsedArticle]:
    articles: list[ParsedArticle] = []
    chapter: str | None = None
    section: str | None = None
    for index in range(start, len(lines)):
        text = lines[index].strip().replace("\u3000", " ").strip()
        line_no = index + 1
        if not text:
            continue
        heading = text.lstrip("#").strip()
        division = DIVISION.match(heading)
        if division and (text.startswith("#") or len(heading) <= 40):
            kind = division.group(2)
            name = f"第{division.group(1)}{kind} " + "".join((division.group(3) or "").split())
            if kind == "节":
                section = name
            else:
                chapter, section = name, None
            continue
        match = ARTICLE.match(text)
        if match:
            article = _new_article(match, chapter, section, line_no, path)
            _note(problems, _order_problem(articles, article, path))
            if match.group(3):
                article.paragraphs.append(match.group(3).strip())
            articles.append(article)
        elif articles:
            articles[-1].paragraphs.append(text)
    for article in articles:
        if not article.paragraphs:
            _note(problems, StatuteFormatError(path, article.line, f"{article.label} has no text"))
    return articles


def _note(problems: list[StatuteFormatError] | None, problem: StatuteFormatError | None) -> None:
    if problem is None:
        return
    if problems is None:
        raise problem
    problems.append(problem)


def _new_article(match: re.Match, chapter: str | None, section: str | None, line: int, path: Path) -> ParsedArticle:
    try:
        number = parse_numeral(match.group(1))
        sub = parse_numeral(match.group(2)) if match.group(2) else 0
    except ValueError as error:
        raise StatuteFormatError(path, line, f"bad article number: {error}") from None
    label = f"第{match.group(1)}条" + (f"之{match.group(2)}" if match.group(2) else "")
    return ParsedArticle(number, sub, label, chapter, section, [], line)


def _order_problem(articles: list[ParsedArticle], article: ParsedArticle, path: Path) -> StatuteFormatError | None:
    previous = (articles[-1].number, articles[-1].sub) if articles else (0, 0)
    current = (article.number, article.sub)
    expected_next = (previous[0] + 1, 0)
    inserted = (previous[0], previous[1] + 1)
    if current in (expected_next, inserted):
        return None
    return StatuteFormatError(
        path, article.line, f"{article.label} is out of order (after article {previous[0]}); the text may be damaged"
    )


def _numbered_sections(lines: list[str], start: int, path: Path) -> list[ParsedArticle]:
    """Notices without 第…条 are cited by their numbered headings (一、二、…)."""
    sections: list[ParsedArticle] = []
    for index in range(start, len(lines)):
        text = lines[index].strip()
        if not text:
            continue
        heading = text.lstrip("#").strip()
        match = NUMBERED_HEADING.match(heading) if text.startswith("#") else None
        if match:
            number = parse_numeral(match.group(1))
            label = f"{match.group(1)}、{match.group(2).strip()}" if match.group(2) else match.group(1)
            sections.append(ParsedArticle(number, 0, label, None, None, [], index + 1))
        elif sections:
            sections[-1].paragraphs.append(text.replace("\u3000", " ").strip())
    return [section for section in sections if section.paragraphs]
