"""Shared fixtures: the edge cases every geometry test should meet."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Population grids built by the tests go to a fresh directory, never the user's cache,
# and the directory goes when the run ends.
if "REACHMAP_CACHE_DIR" not in os.environ:
    os.environ["REACHMAP_CACHE_DIR"] = tempfile.mkdtemp(prefix="reachmap-test-cache-")
    atexit.register(shutil.rmtree, os.environ["REACHMAP_CACHE_DIR"], ignore_errors=True)

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # CI runs are reproducible; run `--hypothesis-profile dev` to explore
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Sites that break naive code: poles, the antimeridian, signed zeros.
EDGE_SITES = [
    pytest.param(90.0, 0.0, id="north-pole"),
    pytest.param(-90.0, 123.0, id="south-pole"),
    pytest.param(0.0, 180.0, id="antimeridian-east"),
    pytest.param(0.0, -180.0, id="antimeridian-west"),
    pytest.param(-0.0, -0.0, id="signed-zeros"),
    pytest.param(89.5, 179.7, id="near-pole-near-antimeridian"),
    pytest.param(-86.0, -179.9, id="south-near-antimeridian"),
    pytest.param(53.90019, 27.56653, id="minsk"),
]

latitudes = st.one_of(
    st.floats(-90.0, 90.0),
    st.floats(85.0, 90.0),
    st.floats(-90.0, -85.0),
    st.sampled_from([90.0, -90.0, 0.0, -0.0]),
)
longitudes = st.one_of(
    st.floats(-180.0, 180.0),
    st.floats(179.0, 180.0),
    st.floats(-180.0, -179.0),
    st.sampled_from([180.0, -180.0, 0.0, -0.0]),
)
radii_km = st.one_of(
    st.floats(1.0, 19_999.0),
    st.floats(1.0, 100.0),
    st.floats(19_000.0, 19_999.0),
)
