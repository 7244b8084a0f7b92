"""docs/ stays true to the code: every metric and every ledger is documented."""

from pathlib import Path

import pytest

from safestar.core.ledger import LEDGERS
from safestar.core.metrics import METRICS

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_metric_is_in_docs_schemes(name):
    assert f"`{name}`" in (DOCS / "schemes.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", sorted(LEDGERS))
def test_every_ledger_is_in_docs_ledgers(slug):
    assert f"`{slug}`" in (DOCS / "ledgers.md").read_text(encoding="utf-8")


def test_the_import_vocabulary_in_docs_ledgers_is_generated_from_the_declarations():
    """docs/ledgers.md lists per ledger the column names and words the imports understand; it is
    generated (safestar import_docs --write), so a new synonym or clerk word must be regenerated."""
    from safestar.core import import_docs

    assert import_docs.current() == import_docs.render(), "docs/ledgers.md 的导入写法已过时：运行 safestar import_docs --write"


def test_every_named_action_is_in_docs_roles():
    from safestar.org.roles import ACTIONS

    text = (DOCS / "roles.md").read_text(encoding="utf-8")
    missing = [action for action in ACTIONS if f"`{action}`" not in text]
    assert not missing, f"docs/roles.md does not say who holds {missing}"
