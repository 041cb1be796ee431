"""axe-core (shipped inside the axe-playwright-python package) run on a loaded page."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()


def axe_violations(page) -> list[str]:
    """Each violation as 'rule: the first offending element', empty when the page is clean."""
    page.wait_for_load_state()
    results = _AXE.run(page)
    return [
        f"{v['id']}: {v['nodes'][0]['target'] if v['nodes'] else ''}"
        for v in results.response["violations"]
    ]
