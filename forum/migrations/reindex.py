"""What the migrations that index every listed opportunity again share: 0036's indexing, loaded
from its file (a migration is no module of a package), so that each re-indexing (0042, 0048,
0055, 0059) runs the one indexing code with the analyser of its release."""

import importlib.util
from pathlib import Path
from types import ModuleType


def reindexing() -> ModuleType:
    """Migration 0036 as a module: `upgrade()` indexes everything again and drops the stored
    suggestions; `reindex_all(bind)` only indexes."""
    path = Path(__file__).with_name("versions") / "0036_reindex_prefixed_nouns.py"
    spec = importlib.util.spec_from_file_location("reindex_prefixed_nouns", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
