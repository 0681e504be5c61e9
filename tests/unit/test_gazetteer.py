"""The gazetteer: data sanity, search ranking, typo tolerance, distances (reads only the CSV)."""

import time

import pytest

from core.geo.gazetteer import (
    Area,
    all_areas,
    get_area,
    haversine_km,
    nearest_area,
    normalise,
    search_areas,
)
from core.outbox.encoding import is_gsm7

# Independent reference points (approximate city centres), not read from the CSV.
CITY_CENTRES = {
    "Johannesburg": (-26.2041, 28.0473),
    "Ekurhuleni": (-26.2125, 28.2625),
    "Pretoria": (-25.7461, 28.1881),
    "Durban": (-29.8587, 31.0218),
    "Cape Town": (-33.9249, 18.4241),
    "Gqeberha": (-33.9608, 25.6022),
    "East London": (-33.0153, 27.9116),
    "Bloemfontein": (-29.1167, 26.2167),
    "Polokwane": (-23.9045, 29.4689),
    "Mbombela": (-25.4753, 30.9694),
    "Pietermaritzburg": (-29.6006, 30.3794),
    "Stellenbosch": (-33.9321, 18.8602),
    "Paarl": (-33.7342, 18.9621),
    "Rustenburg": (-25.6676, 27.2421),
    "Kimberley": (-28.7417, 24.7722),
    "West Rand": (-26.1000, 27.7700),
    "Vereeniging": (-26.6731, 27.9261),
    "Sasolburg": (-26.8136, 27.8169),
    "Potchefstroom": (-26.7145, 27.0970),
    "Klerksdorp": (-26.8521, 26.6667),
    "Mahikeng": (-25.8652, 25.6442),
    "Brits": (-25.6347, 27.7802),
    "Welkom": (-27.9774, 26.7351),
    "Kroonstad": (-27.6504, 27.2349),
    "Bethlehem": (-28.2308, 28.3071),
    "Parys": (-26.9033, 27.4573),
    "eMalahleni": (-25.8713, 29.2332),
    "Middelburg": (-25.7751, 29.4648),
    "Secunda": (-26.5504, 29.1781),
    "Ermelo": (-26.5333, 29.9833),
    "Tzaneen": (-23.8332, 30.1635),
    "Thohoyandou": (-22.9456, 30.4849),
    "Musina": (-22.3381, 30.0419),
    "Mokopane": (-24.1944, 29.0097),
    "Bela-Bela": (-24.8849, 28.2934),
    "Richards Bay": (-28.7830, 32.0377),
    "Newcastle": (-27.7580, 29.9318),
    "Ladysmith": (-28.5597, 29.7808),
    "Port Shepstone": (-30.7414, 30.4550),
    "Kokstad": (-30.5472, 29.4241),
    "Mthatha": (-31.5889, 28.7844),
    "Komani": (-31.8976, 26.8753),
    "Makhanda": (-33.3042, 26.5328),
    "George": (-33.9630, 22.4617),
    "Mossel Bay": (-34.1831, 22.1460),
    "Knysna": (-34.0356, 23.0488),
    "Oudtshoorn": (-33.5907, 22.2014),
    "Hermanus": (-34.4187, 19.2345),
    "Worcester": (-33.6465, 19.4485),
    "Saldanha": (-33.0117, 17.9442),
    "Beaufort West": (-32.3567, 22.5830),
    "Upington": (-28.4478, 21.2561),
    "Springbok": (-29.6643, 17.8865),
}
PROVINCES = {
    "Gauteng",
    "Western Cape",
    "Eastern Cape",
    "Northern Cape",
    "KwaZulu-Natal",
    "Free State",
    "North West",
    "Mpumalanga",
    "Limpopo",
}


def labels(query: str, limit: int = 5) -> list[str]:
    return [area.label for area in search_areas(query, limit)]


# --- the data -------------------------------------------------------------------------------


def test_gazetteer_has_a_few_hundred_areas_and_covers_the_big_metros():
    areas = all_areas()
    assert len(areas) >= 300
    per_city: dict[str, int] = {}
    for area in areas:
        per_city[area.city] = per_city.get(area.city, 0) + 1
    for metro in ("Johannesburg", "Cape Town", "Pretoria", "Durban", "Ekurhuleni"):
        assert per_city[metro] >= 30, metro


def test_every_row_lies_in_south_africa_and_near_its_city():
    for area in all_areas():
        assert -35.0 <= area.lat <= -22.0 and 16.0 <= area.lon <= 33.0, area
        centre = CITY_CENTRES[area.city]
        assert haversine_km(area.lat, area.lon, *centre) <= 60.0, area


def test_rows_are_unique_gsm7_with_known_provinces_and_four_decimals():
    seen: set[tuple[str, str]] = set()
    for area in all_areas():
        key = (normalise(area.name), normalise(area.city))
        assert key not in seen, area
        seen.add(key)
        assert area.province in PROVINCES, area
        assert area.name.isascii() and is_gsm7(area.label), area
        assert round(area.lat, 4) == area.lat and round(area.lon, 4) == area.lon, area


def test_areas_are_frozen_and_labelled_for_people():
    sandton = get_area("Sandton")
    assert sandton is not None
    assert sandton.label == "Sandton, Johannesburg"
    assert sandton.province == "Gauteng"
    with pytest.raises(AttributeError):
        sandton.lat = 0.0  # type: ignore[misc]
    knysna = get_area("Knysna")
    assert knysna is not None and knysna.label == "Knysna"


# --- search ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, first",
    [
        ("sandton", "Sandton, Johannesburg"),
        ("SANDTON", "Sandton, Johannesburg"),
        ("  sandton. ", "Sandton, Johannesburg"),
        ("umhlanga", "Umhlanga, Durban"),
        ("soweto", "Soweto, Johannesburg"),
        ("cape town", "Cape Town CBD, Cape Town"),
        ("Cape   Town!!", "Cape Town CBD, Cape Town"),
        ("pretoria", "Pretoria CBD, Pretoria"),
        ("durban", "Durban CBD, Durban"),
        ("kempton", "Kempton Park, Ekurhuleni"),
        ("menlo", "Menlo Park, Pretoria"),
        ("sea pt", "Sea Point, Cape Town"),
        ("simon's town", "Simons Town, Cape Town"),
        ("Sandton, Johannesburg", "Sandton, Johannesburg"),
        ("observatory cape town", "Observatory, Cape Town"),
        ("mamelodi", "Mamelodi, Pretoria"),
        ("khayelitsha", "Khayelitsha, Cape Town"),
        ("gqeberha", "Gqeberha Central, Gqeberha"),
    ],
)
def test_search_puts_the_obvious_area_first(query, first):
    assert labels(query)[0] == first


@pytest.mark.parametrize(
    "typo, meant",
    [
        ("sandtn", "Sandton, Johannesburg"),
        ("umhlanag", "Umhlanga, Durban"),
        ("kayelitsha", "Khayelitsha, Cape Town"),
        ("hatfeild", "Hatfield, Pretoria"),
        ("mitchels plain", "Mitchells Plain, Cape Town"),
        ("bellvile", "Bellville, Cape Town"),
        ("midrnd", "Midrand, Johannesburg"),
        ("kempton prk", "Kempton Park, Ekurhuleni"),
    ],
)
def test_search_tolerates_small_typos(typo, meant):
    assert labels(typo)[0] == meant


def test_every_area_survives_a_dropped_or_swapped_letter():
    misses = []
    for area in all_areas():
        name = normalise(area.name)
        if len(name) < 6:
            continue
        mid = len(name) // 2
        dropped = name[:mid] + name[mid + 1 :]
        swapped = name[:mid] + name[mid + 1] + name[mid] + name[mid + 2 :]
        for typo in (dropped, swapped):
            if typo != name and area not in search_areas(typo):
                misses.append((typo, area.label))
    assert misses == []


def test_naming_a_city_lists_its_central_areas_first():
    found = search_areas("cape town")
    assert len(found) == 5 and all(area.city == "Cape Town" for area in found)
    centre = get_area("Cape Town CBD")
    assert centre is not None
    assert all(haversine_km(a.lat, a.lon, centre.lat, centre.lon) < 5 for a in found)
    # whole-word prefixes and the city's own areas outrank a mid-word prefix
    assert "Durbanville, Cape Town" not in labels("durban")
    assert labels("durban", limit=3)[:2] == ["Durban CBD, Durban", "Durban North, Durban"]


def test_search_respects_limit_and_rejects_nonsense():
    assert len(search_areas("johannesburg", limit=3)) == 3
    assert len(search_areas("johannesburg", limit=20)) == 20
    assert search_areas("johannesburg", limit=0) == []
    assert search_areas("") == []
    assert search_areas("  ?!  ") == []
    assert search_areas("xqzvw") == []


def test_exact_match_is_not_padded_with_lookalikes():
    assert labels("soweto") == ["Soweto, Johannesburg"]
    assert labels("umhlanga") == ["Umhlanga, Durban", "Umhlanga Ridge, Durban"]


def test_search_is_fast():
    queries = ["sandton", "umhlanga", "soweto", "cape town", "durban", "tembisa", "sea point"]
    search_areas("warm up")
    started = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for query in queries:
            search_areas(query)
    per_query_ms = (time.perf_counter() - started) * 1000 / (rounds * len(queries))
    assert per_query_ms < 5.0  # typically well under 1 ms; generous for slow CI machines


# --- lookup and distances -------------------------------------------------------------------


def test_get_area_is_forgiving_and_can_disambiguate_by_city():
    assert get_area("  sea POINT ") == get_area("Sea Point")
    assert get_area("Sea Point") is not None
    jhb_obs = get_area("Observatory")
    ct_obs = get_area("observatory", city="cape town")
    assert jhb_obs is not None and jhb_obs.city == "Johannesburg"
    assert ct_obs is not None and ct_obs.city == "Cape Town"
    assert get_area("Sandton", city="Durban") is None
    assert get_area("Atlantis, Cape Town") == get_area("Atlantis")
    assert get_area("Nowhere Special") is None


def test_haversine_known_distances():
    assert haversine_km(-26.0, 28.0, -26.0, 28.0) == 0.0
    # one degree of latitude is about 111.2 km
    assert haversine_km(-26.0, 28.0, -27.0, 28.0) == pytest.approx(111.2, abs=0.2)
    # symmetric
    assert haversine_km(-26.1, 28.0, -33.9, 18.4) == haversine_km(-33.9, 18.4, -26.1, 28.0)
    sandton, pretoria = get_area("Sandton"), get_area("Pretoria CBD")
    assert sandton is not None and pretoria is not None
    # straight line; by road it is 50-60 km
    assert 38 <= haversine_km(sandton.lat, sandton.lon, pretoria.lat, pretoria.lon) <= 48
    jhb, cpt = get_area("Johannesburg CBD"), get_area("Cape Town CBD")
    assert jhb is not None and cpt is not None
    assert 1240 <= haversine_km(jhb.lat, jhb.lon, cpt.lat, cpt.lon) <= 1290


def test_nearest_area():
    assert nearest_area(-26.1080, 28.0560).name == "Sandton"
    assert nearest_area(-33.9185, 18.3862).label == "Sea Point, Cape Town"
    assert nearest_area(-29.7261, 31.0850).label == "Umhlanga, Durban"
    # a point between areas resolves to one of them, never raises
    assert isinstance(nearest_area(-30.0, 25.0), Area)
