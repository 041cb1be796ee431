"""The registry classifies every column of every model, so nothing personal escapes."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.privacy.registry import CATEGORIES, TABLES, Erase, columns_of, undeclared


def test_every_column_of_every_model_is_classified(app):
    assert undeclared(db.metadata) == []


def test_a_new_undeclared_column_is_caught(app):
    metadata = sa.MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(metadata)
    sa.Table("users", metadata, sa.Column("phone", sa.String(40)), extend_existing=True)
    assert undeclared(metadata) == ["users.phone (undeclared)"]


def test_declarations_are_consistent(app):
    for decl in TABLES.values():
        assert len(set(decl.columns)) == len(decl.columns), f"{decl.name} repeats a column"
        assert decl.category is None or decl.category in CATEGORIES, decl.name
        if decl.personal or decl.secret:
            assert decl.category is not None, f"{decl.name} holds personal data: give a category"
            if decl.about_a_person or decl.erase is Erase.AUDIT:
                assert decl.erase is not Erase.NONE, f"{decl.name}: say what erasure does"
            else:  # linked to nobody: only a retention period can remove it
                category = CATEGORIES[decl.category]
                assert category.retention_setting is not None, f"{decl.name}: needs a period"
        if decl.owner_via is not None:  # owned through a row of a table that names its owner
            assert decl.owner is None, decl.name
            assert decl.owner_via.column in decl.columns, decl.name
            assert TABLES[decl.owner_via.table].owner in TABLES[decl.owner_via.table].columns
        elif decl.erase in (Erase.DELETE, Erase.EMPTY):
            assert decl.owner in decl.columns, f"{decl.name}: erasure needs an owner column"
        assert set(decl.emptied) <= set(decl.columns), decl.name
        for lookup in decl.lookups:  # each hop follows a column to a declared table
            columns = decl.columns
            for column, table in lookup.hops:
                assert column in columns, f"{decl.name}: {lookup.label}"
                assert table in TABLES, f"{decl.name}: {lookup.label}"
                columns = TABLES[table].columns
            assert lookup.shown in columns, f"{decl.name}: {lookup.label}"


def test_every_kind_of_data_is_stored_somewhere(app):
    """The record lists each kind with its tables; a kind without columns would be a stale
    promise in the notice."""
    for key in CATEGORIES:
        assert columns_of(key), key
    for decl in TABLES.values():
        assert set(decl.column_categories) <= set(decl.personal), decl.name
        assert set(decl.column_categories.values()) <= CATEGORIES.keys(), decl.name
