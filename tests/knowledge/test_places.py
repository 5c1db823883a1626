"""The bundled gazetteer: every district of Tianjin and the areas of 滨海新区, found inside longer messages."""

from pathlib import Path

import pytest

from knowledge.places import Gazetteer, Place, PlaceError, load_places, station_places
from knowledge.stations import distance_km, load_stations

DISTRICTS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区",
             "武清区", "宝坻区", "宁河区", "静海区", "蓟州区", "滨海新区"]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer(load_places() + station_places(load_stations()))


def test_every_district_of_tianjin_is_a_place() -> None:
    names = {place.name for place in load_places()}
    assert set(DISTRICTS) <= names


def test_places_lie_in_and_around_tianjin() -> None:
    for place in load_places():
        assert 38.5 < place.latitude < 40.3 and 116.7 < place.longitude < 118.1, place.name


def test_a_place_is_found_inside_a_longer_message(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("我在东疆这边跑单，哪里能歇脚").name == "东疆"
    assert gazetteer.find("家住武清，下了班想找个地方").name == "武清区"
    assert gazetteer.find("在泰达上班").name == "开发区"
    assert gazetteer.find("今天去蓟县送货").name == "蓟州区"


def test_the_most_specific_place_wins_over_the_one_it_lies_in(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("滨海新区塘沽这边").name == "塘沽"
    assert gazetteer.find("天津港东疆港区").name == "东疆"
    assert gazetteer.find("于家堡，就是中心商务区那").name == "于家堡"


def test_a_longer_name_wins_at_the_same_place(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("空港保税区").name == "空港经济区"
    assert gazetteer.find("天津滨海国际机场").name == "天津滨海国际机场"


def test_a_station_named_by_its_alias_is_its_own_place(gazetteer: Gazetteer) -> None:
    place = gazetteer.find("响螺湾驿站几点开门")
    assert place.name == "响螺湾户外劳动者服务站（示例）"


def test_everyday_words_are_not_places(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("我们想和平解决，公司却不同意") is None
    assert gazetteer.find("老家是河北的，在这边打工") is None
    assert gazetteer.find("我在空港物流园做分拣").name == "空港经济区"


def test_places_named_by_a_neighbourhood_are_near_it() -> None:
    places = {place.name: place for place in load_places()}
    tanggu, yujiapu = places["塘沽"], places["于家堡"]
    assert distance_km(tanggu.latitude, tanggu.longitude, yujiapu.latitude, yujiapu.longitude) < 10


def test_within_must_name_a_listed_place(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    path.write_text("places:\n  - {name: 甲地, latitude: 39, longitude: 117, within: 乙地}\n", encoding="utf-8")
    with pytest.raises(PlaceError, match="乙地"):
        load_places(path)


def test_a_circle_of_within_does_not_hang() -> None:
    places = [
        Place(name="甲地", latitude=39, longitude=117, within="乙地"),
        Place(name="乙地", latitude=39, longitude=117, within="甲地"),
    ]
    assert Gazetteer(places).find("甲地和乙地") is not None
