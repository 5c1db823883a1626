"""Turn one knowledge version — its statutes, cards, policies and stations — into passages for the index."""

from core import kb_items
from core.kb_items import ItemKind
from core.knowledge_base import Content
from core.statute_versions import StatuteVersion
from index.passages import Kind, Passage, article_id
from knowledge.cards import Card
from knowledge.policies import PolicySection
from knowledge.stations import Station


def content_passages(content: Content, statutes: list[StatuteVersion]) -> list[Passage]:
    """Articles by law title, cards and policies by id, stations as listed."""
    items = content.items
    passages = article_passages(statutes)
    passages += [card_passage(kb_items.card(key, data)) for key, data in items[ItemKind.CARD].items()]
    passages += [
        policy_passage(section)
        for key, data in items[ItemKind.POLICY].items()
        for section in kb_items.policy_sections(key, data)
    ]
    passages += [station_passage(kb_items.station(key, data)) for key, data in items[ItemKind.STATION].items()]
    return passages


def article_passages(statutes: list[StatuteVersion]) -> list[Passage]:
    passages: list[Passage] = []
    for law in statutes:
        for article in law.articles:
            heading = " ".join(part for part in (article["chapter"], article["section"]) if part)
            passages.append(
                Passage(
                    id=article_id(law.short_title, article["number"], article["sub"]),
                    kind=Kind.ARTICLE,
                    title=f"《{law.short_title}》{article['label']}",
                    text=article["text"],
                    search_text=f"{law.short_title} {heading} {article['text']}",
                    meta={
                        "law": law.short_title,
                        "law_title": law.title,
                        "version_date": law.version_date.isoformat(),
                        "number": article["number"],
                        "sub": article["sub"],
                        "label": article["label"],
                        "chapter": article["chapter"],
                        "section": article["section"],
                    },
                )
            )
    return passages


def card_passage(card: Card) -> Passage:
    return Passage(
        id=f"card:{card.id}",
        kind=Kind.CARD,
        title=card.title,
        text=card.answer,
        search_text=" ".join([card.title, *card.questions, *card.tags, *card.tags, card.answer]),
        meta={
            "card_id": card.id,
            "topic": str(card.topic),
            "citations": [[citation.law, citation.article] for citation in card.citations],
            "questions": [card.title, *card.questions],
            "action": str(card.action) if card.action else None,
        },
    )


def policy_passage(section: PolicySection) -> Passage:
    """The heading says what a section answers: it counts twice, as a card's tags do, and with each condition
    and step it makes the short statements a question is matched against one by one (a card's phrasings)."""
    return Passage(
        id=f"policy:{section.id}",
        kind=Kind.POLICY,
        title=section.label,
        text=section.text,
        search_text=" ".join(
            [section.policy_title, section.heading, section.heading, section.text, *section.conditions, *section.steps]
        ),
        meta={
            "policy_id": section.policy_id,
            "policy_title": section.policy_title,
            "heading": section.heading,
            "conditions": list(section.conditions),
            "steps": list(section.steps),
            "action": str(section.action) if section.action else None,
            "questions": [
                f"{section.policy_title} {section.heading}",
                *(f"{section.heading} {line}" for line in (*section.conditions, *section.steps)),
            ],
        },
    )


def station_passage(station: Station) -> Passage:
    return Passage(
        id=f"station:{station.id}",
        kind=Kind.STATION,
        title=station.name,
        text=f"{station.address}（{station.hours}）",
        search_text=" ".join([station.name, station.area, station.address, *station.services, *station.aliases]),
        meta=station.model_dump(mode="json"),
    )
