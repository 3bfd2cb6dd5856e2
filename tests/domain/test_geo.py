"""Offline US ZIP centroids (``domain.geo.zip_centroid``) for ZIPs as CRMs and spreadsheets
write them."""

import pytest

from territory_opt.domain.geo import zip_centroid


@pytest.mark.parametrize("written", ["02134", "2134", 2134, 2134.0, "02134-1234",
                                     "2134-1234", "021341234", "21341234", 21341234])
def test_one_zip_however_it_is_written(written: object) -> None:
    """02134 (Allston, Boston): as text, as a number that lost its zero, and as ZIP+4."""
    assert zip_centroid(written) == zip_centroid("02134")
    assert zip_centroid("02134") is not None


@pytest.mark.parametrize("written", ["", "SW1A 1AA", "10115x", "1234567", "99999"])
def test_not_a_us_zip(written: str) -> None:
    assert zip_centroid(written) is None


def test_chord_distances_agree_with_the_haversine_formula() -> None:
    """Boston, New York, a point 10 m north of Boston and Chicago: each pair within 0.1% of
    the great-circle distance below 1,000 km (Boston–Chicago, 1,367 km, within 0.2%), and 0
    from a point to itself."""
    import numpy as np

    from territory_opt.domain.geo import chord_matrix_km, distance_matrix_km

    lat = np.array([42.3601, 40.7128, 42.36019, 41.8781])
    lon = np.array([-71.0589, -74.0060, -71.0589, -87.6298])
    chord, arc = chord_matrix_km(lat, lon), distance_matrix_km(lat, lon, lat, lon)
    assert np.allclose(np.diag(chord), 0.0, atol=1e-3)
    assert abs(chord[0, 2] - arc[0, 2]) < 1e-3  # 10 m
    assert abs(chord[0, 1] / arc[0, 1] - 1) < 1e-3
    assert abs(chord[0, 3] / arc[0, 3] - 1) < 2e-3
    assert np.allclose(chord, chord.T)
