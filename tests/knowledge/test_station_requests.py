"""Reading a station request from a message, and finding the nearest stations that meet it."""

from pathlib import Path

import pytest

from knowledge.places import Gazetteer, load_places, station_places
from knowledge.station_requests import StationWordsError, load_station_words, read_station_request
from knowledge.stations import FAR_KM, StationKind, find_nearby, load_stations


@pytest.fixture(scope="module")
def stations():
    return load_stations()


@pytest.fixture(scope="module")
def gazetteer(stations) -> Gazetteer:
    return Gazetteer(load_places() + station_places(stations))


@pytest.mark.parametrize(
    ("message", "need"),
    [
        ("附近哪里能歇歇脚", "休息"),
        ("渴死了，哪能接点热水", "饮水"),
        ("手机快没电了，附近哪能充个电", "充电"),
        ("电瓶没电了，周边哪儿能换电", "电动车电池充电"),
        ("带的饭凉了，找个地方热热饭", "热饭"),
        ("附近有卫生间吗，在哪", "如厕"),
    ],
)
def test_what_a_worker_wants_from_a_station_asks_for_one(message: str, need: str, gazetteer: Gazetteer) -> None:
    request = read_station_request(message, gazetteer)
    assert request is not None and need in request.needs and request.place is None


def test_a_place_with_a_need_is_a_request_without_asking_where(gazetteer: Gazetteer) -> None:
    request = read_station_request("我在东疆跑单，想歇会", gazetteer)
    assert request.place.name == "东疆" and request.needs == {"休息"}


def test_naming_a_kind_of_station_asks_for_that_kind(gazetteer: Gazetteer) -> None:
    assert read_station_request("汉沽有职工服务中心吗", gazetteer).kind == StationKind.SERVICE_CENTRE
    assert read_station_request("最近的驿站在哪", gazetteer).kind == StationKind.OUTDOOR
    assert read_station_request("附近有工会的服务站吗，在哪", gazetteer).kind is None


@pytest.mark.parametrize(
    "message",
    [
        "休息日加班有没有加班费",
        "公司不给提供休息的地方违法吗",
        "最近公司老不让上厕所，扣钱合法吗",
        "在东疆上班，公司不给交社保",
        "哪里能申请劳动仲裁",
        "外卖站点在哪结工资",
    ],
)
def test_labour_questions_are_not_station_requests(message: str, gazetteer: Gazetteer) -> None:
    assert read_station_request(message, gazetteer) is None


def test_nearest_stations_offer_what_is_needed(stations, gazetteer: Gazetteer) -> None:
    yujiapu = gazetteer.find("于家堡")
    nearby = find_nearby(stations, yujiapu.latitude, yujiapu.longitude, needs={"电动车电池充电"})
    assert nearby.matched and not nearby.far
    assert all("电动车电池充电" in station.services for station, _km in nearby.stations)
    assert [km for _s, km in nearby.stations] == sorted(km for _s, km in nearby.stations)


def test_a_kind_is_preferred_but_a_need_comes_first(stations) -> None:
    centres = find_nearby(stations, 39.0352, 117.7905, kind=StationKind.SERVICE_CENTRE, limit=5)
    assert {station.kind for station, _km in centres.stations} == {StationKind.SERVICE_CENTRE}
    showers = find_nearby(stations, 39.0352, 117.7905, needs={"淋浴"}, kind=StationKind.SERVICE_CENTRE)
    assert showers.matched and all("淋浴" in station.services for station, _km in showers.stations)


def test_a_need_no_station_meets_lists_the_nearest_of_all(stations) -> None:
    nearby = find_nearby(stations, 39.0352, 117.7905, needs={"潜水"})
    assert not nearby.matched and nearby.stations[0][0].id == "dongjiang-service-centre"


def test_far_from_every_station_is_flagged(stations, gazetteer: Gazetteer) -> None:
    jizhou = gazetteer.find("蓟州")
    nearby = find_nearby(stations, jizhou.latitude, jizhou.longitude)
    assert nearby.far and nearby.stations[0][1] > FAR_KM
    assert find_nearby([], 39.0, 117.0).far


def test_an_unknown_kind_in_the_vocabulary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "words.yaml"
    path.write_text("needs: {}\nkinds: {boat: [船]}\nwhere: [哪]\n", encoding="utf-8")
    with pytest.raises(StationWordsError, match="boat"):
        load_station_words(path)
