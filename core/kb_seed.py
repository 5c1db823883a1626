"""The files the knowledge base starts from: the bundled cards, policies and stations, or the directories
CARDS_DIR, POLICIES_DIR and STATIONS_FILE name. Read once, when the database holds no knowledge yet."""

from dataclasses import dataclass
from pathlib import Path

from core.kb_items import InvalidItem, ItemData, ItemKind, normalized, policy_item
from core.settings import Settings
from knowledge.cards import CardError, load_cards
from knowledge.policies import BUNDLED_POLICIES, PolicyError, load_policy
from knowledge.stations import StationError, load_stations

SOURCE_ERRORS = (CardError, PolicyError, StationError, InvalidItem)  # a broken file: its name is in the message


@dataclass(frozen=True)
class Sources:
    """Where the knowledge comes from; each defaults to the bundled samples."""

    cards_dir: Path | None = None
    policies_dir: Path | None = None
    stations_file: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sources":
        return cls(settings.cards_dir, settings.policies_dir, settings.stations_file)

    def items(self) -> dict[ItemKind, dict[str, ItemData]]:
        """Every item, checked as the loaders check files (a broken file raises and nothing is read)."""
        cards = {
            card.id: normalized(ItemKind.CARD, card.id, card.model_dump(mode="json"))
            for card in load_cards(self.cards_dir)
        }
        policies: dict[str, ItemData] = {}
        for path in sorted((self.policies_dir or BUNDLED_POLICIES).glob("*.md")):
            load_policy(path)  # the loader's own checks, with the file's name in the message
            item = policy_item(path.read_text(encoding="utf-8"))
            policies[path.stem] = normalized(ItemKind.POLICY, path.stem, item)
        stations = {
            station.id: normalized(ItemKind.STATION, station.id, station.model_dump(mode="json"))
            for station in load_stations(self.stations_file)
        }
        return {ItemKind.CARD: cards, ItemKind.POLICY: policies, ItemKind.STATION: stations}
