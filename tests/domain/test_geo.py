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
