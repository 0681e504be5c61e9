"""Great-circle distance, for service areas and offer texts (the geo index does its own)."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def degrees_box(lat: float, radius_km: float) -> tuple[float, float]:
    """Half-height and half-width in degrees of a box that contains a circle of `radius_km`."""
    dlat = radius_km / 110.574
    dlon = radius_km / (111.320 * max(0.01, math.cos(math.radians(lat))))
    return dlat, dlon
