"""The ER document covers every table and every relation of the live models."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from core.datamodel.erd import render_erd
from core.datamodel.meta import app_labels, on_delete_name

# Third-party tables the platform relies on: the ERD must keep showing them.
RELIED_ON = ["auditlog.LogEntry", "account.EmailAddress", "mfa.Authenticator", "auth.Group"]


def concrete_models():
    return [m for m in apps.get_models() if not m._meta.proxy and m._meta.managed]


def diagrams(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)


def section(text: str, label: str) -> str:
    match = re.search(rf"^## App `{re.escape(label)}`\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert match, f"no section for app {label}"
    return match.group(1)


@pytest.fixture(scope="module")
def erd() -> str:
    return render_erd()


def test_every_concrete_model_is_an_entity_of_the_overview_and_of_its_app(erd):
    overview = diagrams(erd)[0]
    for model in concrete_models():
        table = model._meta.db_table
        assert f"\n    {table} {{\n" in overview, f"{model._meta.label} missing from the overview"
        app_diagram = diagrams(section(erd, model._meta.app_label))[0]
        for field in model._meta.local_fields:
            assert re.search(
                rf"^        \w+ {re.escape(field.column)}\b", app_diagram.split(f"    {table} {{")[1], re.M
            ), f"{model._meta.label}.{field.name} missing from its entity"


def test_the_third_party_tables_we_rely_on_are_drawn(erd):
    for label in RELIED_ON:
        assert f"    {apps.get_model(label)._meta.db_table} {{" in erd


def test_every_foreign_key_and_one_to_one_is_a_relation_with_its_on_delete(erd):
    overview = diagrams(erd)[0]
    for model in concrete_models():
        for field in model._meta.local_fields:
            if not field.is_relation:
                continue
            parent = "|o" if field.null else "||"
            child = "o|" if field.one_to_one else "o{"
            line = (
                f"    {field.related_model._meta.db_table} {parent}--{child} {model._meta.db_table} : "
                f'"{field.name} {on_delete_name(field)}"'
            )
            assert line in overview, f"{model._meta.label}.{field.name}: {line!r} missing"
            assert line in section(erd, model._meta.app_label)


def test_every_many_to_many_is_an_n_to_n_relation_through_its_table(erd):
    overview = diagrams(erd)[0]
    for model in concrete_models():
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through._meta.db_table
            line = f'    {field.related_model._meta.db_table} }}o--o{{ {model._meta.db_table} : "{field.name} via {through}'
            assert line in overview, f"{model._meta.label}.{field.name} missing"


def test_primary_and_unique_keys_are_marked(erd):
    wallets = section(erd, "accounts")
    assert "        BigAutoField id PK\n" in wallets
    assert re.search(r"        EmailField email UK\b", wallets)
    assert re.search(r"        UUIDField public_id UK\b", wallets)


def test_every_app_with_models_has_a_section_with_one_diagram(erd):
    for label in app_labels():
        assert len(diagrams(section(erd, label))) <= 1
    assert len(diagrams(erd)) == 1 + len({m._meta.app_label for m in concrete_models()})


def test_proxy_models_are_listed_under_their_app(erd):
    for model in apps.get_models():
        if model._meta.proxy:
            assert f"- {model._meta.label} — proxy model over" in section(erd, model._meta.app_label)


def test_output_is_deterministic(erd):
    assert render_erd() == erd
    assert not re.search(r"\d{4}-\d{2}-\d{2}", erd), "no dates: the staleness check compares bytes"


def test_app_option_renders_only_that_app(tmp_path):
    out = tmp_path / "wallets.md"
    call_command("erd", "--app", "wallets", "--output", str(out))
    text = out.read_text()
    assert "## App `wallets`" in text
    assert "## Overview" not in text and "## App `accounts`" not in text
    assert len(diagrams(text)) == 1


def test_app_option_without_output_prints_and_leaves_the_committed_document_alone(settings):
    committed = settings.BASE_DIR / "docs" / "erd.md"
    before = committed.read_text(encoding="utf-8")
    out = io.StringIO()
    call_command("erd", "--app", "wallets", stdout=out)
    assert committed.read_text(encoding="utf-8") == before
    assert "## App `wallets`" in out.getvalue()
    assert "## App `accounts`" not in out.getvalue()


def test_unknown_app_is_a_one_line_error(tmp_path):
    with pytest.raises(CommandError, match="Unknown app label 'nope'"):
        call_command("erd", "--app", "nope", "--output", str(tmp_path / "x.md"))


def test_join_models_with_a_unique_pair_of_foreign_keys_are_n_to_n(erd):
    from core.datamodel.meta import implied_many_to_many

    overview = diagrams(erd)[0]
    implied = [r for m in concrete_models() for r in implied_many_to_many(m)]
    if apps.is_installed("challenges") and "user_badges" in {m._meta.db_table for m in concrete_models()}:
        assert "user_badges" in {r.through_table for r in implied}, "users N-N badges through user_badges"
    for relation in implied:
        line = f'    {relation.target_table} }}o--o{{ {relation.source_table} : "N-N via {relation.through_table}"'
        assert line in overview
