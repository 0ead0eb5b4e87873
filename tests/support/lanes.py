"""Which CI lane the suite runs in, and whether the servers it talks to are required.

CI runs two lanes side by side (.ci/run): "servers" (PostgreSQL, Redis) and "embedded"
(SQLite, the filesystem broker, as `make run`). Each runs every test of the portal's
own code; what does not depend on the database runs in one lane only (tests/conftest.py
`lane_of`). Without TEST_LANE (`make test` on a machine of one's own) everything runs.
"""

import os

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
LANE = os.environ.get("TEST_LANE", "")
# With CI=true a missing PostgreSQL or Redis fails the run instead of skipping.
REQUIRE_SERVERS = IN_CI and LANE != "embedded"
