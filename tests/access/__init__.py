"""Route x role expectations, one module per feature, merged by `all_routes()`.

Each module defines ROUTES = {endpoint: {"url": "/path/{placeholder}", "method": "GET",
"anonymous": 302, "resident": 403, "officer": 200, "officer_other_area": 403, "admin": 200}}.
Placeholders are filled from the scene built in tests/test_access_matrix.py.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def all_routes() -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for module in pkgutil.iter_modules(__path__):
        routes = importlib.import_module(f"{__name__}.{module.name}").ROUTES
        overlap = merged.keys() & routes.keys()
        assert not overlap, f"{module.name} repeats {sorted(overlap)}"
        merged.update(routes)
    return merged
