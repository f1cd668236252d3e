"""The migration map is Django's real plan: complete, dependency-ordered, data migrations flagged."""

from __future__ import annotations

import re

import pytest
from django.db.migrations.loader import MigrationLoader

from core.datamodel.migration_map import _node_id, data_operations, render_migration_map


@pytest.fixture(scope="module")
def loader() -> MigrationLoader:
    return MigrationLoader(None, ignore_no_migrations=True)


@pytest.fixture(scope="module")
def text() -> str:
    return render_migration_map()


def order(text: str) -> list[tuple[str, str]]:
    rows = re.findall(r"^\| (\d+) \| `([\w.]+?)\.(\w+)` \|", text, flags=re.M)
    assert [int(n) for n, _, _ in rows] == list(range(1, len(rows) + 1))
    return [(app, name) for _, app, name in rows]


def test_every_migration_of_the_graph_is_listed_once(loader, text):
    listed = order(text)
    assert len(listed) == len(set(listed))
    assert set(listed) == set(loader.graph.nodes)


def test_order_respects_every_dependency_edge(loader, text):
    position = {key: i for i, key in enumerate(order(text))}
    edges = [(parent.key, node.key) for node in loader.graph.node_map.values() for parent in node.parents]
    assert edges
    for dependency, migration in edges:
        assert position[dependency] < position[migration], f"{migration} listed before its dependency {dependency}"


def test_every_edge_is_drawn(loader, text):
    for node in loader.graph.node_map.values():
        for parent in node.parents:
            assert f"    {_node_id(parent.key)} --> {_node_id(node.key)}\n" in text


def test_data_migrations_are_flagged(loader, text):
    data = [key for key, migration in loader.graph.nodes.items() if data_operations(migration)]
    assert data, "Django's own auth app ships RunPython migrations"
    assert ("auth", "0011_update_proxy_permissions") in data
    for app, name in data:
        assert re.search(rf"^\| \d+ \| `{app}\.{name}` \| \*\*data\*\* \(", text, flags=re.M)
        assert _node_id((app, name)) in text.split("class ", 1)[-1]
    schema_only = [key for key, migration in loader.graph.nodes.items() if not data_operations(migration)]
    for app, name in schema_only:
        assert re.search(rf"^\| \d+ \| `{app}\.{name}` \| schema \|", text, flags=re.M)


def test_output_is_deterministic(text):
    assert render_migration_map() == text
