"""Gazetteer of South African suburbs and areas, for people who type a place instead of sharing GPS.

The data is `gazetteer.csv`, shipped inside the package: one row per area with the city (or metro)
it belongs to, the province and an approximate centroid in decimal degrees (WGS84). Centroids are
good to roughly a kilometre: enough to choose operators and quote travel, not to navigate.

The file is read once, on first use, and kept in memory; nothing here does any other I/O, so every
function is safe to call from request handlers and tests without fixtures.

Search promises, in order of rank: an exact name (or "name, city" label) match; names starting with
the query as whole words ("durban north"); areas of the city the query names, nearest its centre
first; names starting with the query mid-word ("durbanville"); names with a word starting with it;
names containing it; areas whose name, city and province words start with every query word,
nearest the city centre first. Only when none of those match are close spellings offered
(difflib), best first. Case, accents, punctuation and extra spaces are ignored throughout.
"""

from __future__ import annotations

import csv
import difflib
import heapq
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

EARTH_RADIUS_KM = 6371.0088
_FUZZY_CUTOFF = 0.75
_FUZZY_SHORTLIST = 40  # keys sharing the most letter pairs with the query get a full difflib look
_CENTRE_SUFFIXES = (" cbd", " central")


@dataclass(frozen=True, slots=True)
class Area:
    """A named area; `lat`/`lon` are its centroid in decimal degrees (lat negative in SA)."""

    name: str
    city: str
    province: str
    lat: float
    lon: float

    @property
    def label(self) -> str:
        """How to show the area to a person: "Sandton, Johannesburg"; a lone town: "Knysna"."""
        if normalise(self.name) == normalise(self.city):
            return self.name
        return f"{self.name}, {self.city}"


@dataclass(frozen=True, slots=True)
class _Entry:
    """An area with its search keys precomputed."""

    area: Area
    name: str  # normalised name
    label: str  # normalised "name city"
    words: tuple[str, ...]  # words of the normalised name
    all_words: tuple[str, ...]  # words of the normalised name, city and province
    haystack: str  # normalised "name city province": every match contains each query word
    city: str  # normalised city
    centre_km: float  # distance from the city's centre


@dataclass(frozen=True, slots=True)
class _Index:
    entries: tuple[_Entry, ...]
    by_name: dict[str, tuple[_Entry, ...]]
    by_label: dict[str, _Entry]
    fuzzy_names: tuple[tuple[str, frozenset[str]], ...]  # distinct names with their letter pairs
    fuzzy_keys: tuple[tuple[str, frozenset[str]], ...]  # the same for names and labels
    entries_by_key: dict[str, tuple[_Entry, ...]]


_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case ASCII words separated by single spaces ("  Simon's-Town " -> "simons town")."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    ascii_only = ascii_only.replace("'", "").replace("`", "")
    return _NOT_WORD.sub(" ", ascii_only).strip()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _read_areas() -> tuple[Area, ...]:
    # Package data beside this module (pyproject's package-data ships every *.csv); the
    # package is installed as files, never zipped, so a path is all it takes (decision W2).
    text = (Path(__file__).parent / "gazetteer.csv").read_text(encoding="utf-8")
    return tuple(
        Area(
            name=row["name"].strip(),
            city=row["city"].strip(),
            province=row["province"].strip(),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    )


def _city_centres(areas: tuple[Area, ...]) -> dict[str, tuple[float, float]]:
    """Each city's centre: its "<city> CBD"/"<city> Central"/"<city>" area, else the mean."""
    centres: dict[str, tuple[float, float]] = {}
    members: dict[str, list[Area]] = {}
    for area in areas:
        members.setdefault(area.city, []).append(area)
    for city, city_areas in members.items():
        city_key = normalise(city)
        wanted = {city_key} | {city_key + suffix for suffix in _CENTRE_SUFFIXES}
        centre = next((a for a in city_areas if normalise(a.name) in wanted), None)
        if centre is not None:
            centres[city] = (centre.lat, centre.lon)
        else:
            n = len(city_areas)
            centres[city] = (sum(a.lat for a in city_areas) / n, sum(a.lon for a in city_areas) / n)
    return centres


@cache
def _index() -> _Index:
    areas = _read_areas()
    centres = _city_centres(areas)
    entries: list[_Entry] = []
    for area in areas:
        name = normalise(area.name)
        city = normalise(area.city)
        centre_lat, centre_lon = centres[area.city]
        entries.append(
            _Entry(
                area=area,
                name=name,
                label=f"{name} {city}",
                words=tuple(name.split()),
                all_words=tuple(f"{name} {city} {normalise(area.province)}".split()),
                haystack=f"{name} {city} {normalise(area.province)}",
                city=city,
                centre_km=haversine_km(area.lat, area.lon, centre_lat, centre_lon),
            )
        )
    by_name: dict[str, list[_Entry]] = {}
    by_key: dict[str, list[_Entry]] = {}
    by_label: dict[str, _Entry] = {}
    for entry in entries:
        by_name.setdefault(entry.name, []).append(entry)
        by_label.setdefault(entry.label, entry)
        by_key.setdefault(entry.name, []).append(entry)
        by_key.setdefault(entry.label, []).append(entry)
    return _Index(
        entries=tuple(entries),
        by_name={k: tuple(v) for k, v in by_name.items()},
        by_label=by_label,
        fuzzy_names=tuple((key, _letter_pairs(key)) for key in by_name),
        fuzzy_keys=tuple((key, _letter_pairs(key)) for key in by_key),
        entries_by_key={k: tuple(v) for k, v in by_key.items()},
    )


def all_areas() -> list[Area]:
    """Every area in gazetteer order (the big metros first)."""
    return [entry.area for entry in _index().entries]


def _rank(entry: _Entry, query: str, query_words: list[str]) -> tuple[int, float] | None:
    """Rank (lower is better) and tie-break of `entry` for a normalised query, or None."""
    if entry.name == query or entry.label == query:
        return (0, 0.0)
    if entry.name.startswith(query + " "):
        return (1, 0.0)
    if entry.city == query:
        return (2, entry.centre_km)
    if entry.name.startswith(query):
        return (3, 0.0)
    if any(word.startswith(query) for word in entry.words) or entry.label.startswith(query):
        return (4, 0.0)
    if query in entry.name:
        return (5, 0.0)
    if all(any(word.startswith(q) for word in entry.all_words) for q in query_words):
        return (6, entry.centre_km)
    return None


def search_areas(query: str, limit: int = 5) -> list[Area]:
    """Up to `limit` areas matching what a person typed, best first (see the module docstring).

    An empty or punctuation-only query returns no areas. Ties keep shorter names first, then
    gazetteer order, so results are deterministic. Recent queries are answered from a cache.
    """
    normalised = normalise(query)
    if not normalised or limit <= 0:
        return []
    return list(_search(normalised, limit))


@lru_cache(maxsize=4096)
def _search(normalised: str, limit: int) -> tuple[Area, ...]:
    index = _index()
    query_words = normalised.split()
    ranked: list[tuple[int, float, int, int, Area]] = []
    for position, entry in enumerate(index.entries):
        if not all(word in entry.haystack for word in query_words):
            continue  # cheap necessary condition for every rank below
        rank = _rank(entry, normalised, query_words)
        if rank is not None:
            ranked.append((rank[0], rank[1], len(entry.name), position, entry.area))
    if ranked:
        ranked.sort(key=lambda item: item[:4])
        return tuple(item[4] for item in ranked[:limit])
    return tuple(_fuzzy(normalised, limit))


def _letter_pairs(text: str) -> frozenset[str]:
    padded = f" {text} "
    return frozenset(padded[i : i + 2] for i in range(len(padded) - 1))


def _fuzzy(query: str, limit: int) -> list[Area]:
    """Areas whose name (or label) is spelled closely to `query`: difflib ratio >= cutoff.

    Only the keys sharing the most letter pairs with the query are compared in full, which keeps
    a miss well under a millisecond without changing what a typo finds.
    """
    index = _index()
    keys = index.fuzzy_keys if " " in query else index.fuzzy_names
    pairs = _letter_pairs(query)
    shortlist = heapq.nlargest(
        _FUZZY_SHORTLIST, keys, key=lambda key_pairs: len(pairs & key_pairs[1])
    )
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(query)
    scored: list[tuple[float, str]] = []
    for key, _ in shortlist:
        matcher.set_seq1(key)
        if matcher.quick_ratio() >= _FUZZY_CUTOFF and matcher.ratio() >= _FUZZY_CUTOFF:
            scored.append((matcher.ratio(), key))
    scored.sort(key=lambda item: -item[0])  # stable: equal scores keep shortlist order
    found: list[Area] = []
    for _, key in scored:
        for entry in index.entries_by_key[key]:
            if entry.area not in found:
                found.append(entry.area)
    return found[:limit]


def get_area(name: str, city: str | None = None) -> Area | None:
    """The area called `name` (case/punctuation-insensitive), optionally in `city`; else None.

    Without a city an ambiguous name (e.g. "Observatory") gives the first in gazetteer order; a
    label such as "Sandton, Johannesburg" is also accepted as `name`.
    """
    index = _index()
    key = normalise(name)
    candidates = index.by_name.get(key, ())
    if city is not None:
        city_key = normalise(city)
        return next((e.area for e in candidates if e.city == city_key), None)
    if candidates:
        return candidates[0].area
    by_label = index.by_label.get(key)
    return by_label.area if by_label is not None else None


def nearest_area(lat: float, lon: float) -> Area:
    """The area whose centroid is closest (great-circle) to the given point."""
    return min(
        (entry.area for entry in _index().entries),
        key=lambda area: haversine_km(lat, lon, area.lat, area.lon),
    )
