"""Our commands answer bad options with one line and exit 1 (no argparse usage block, no traceback)."""

import pytest
from django.core.management import CommandError, call_command, load_command_class


@pytest.mark.parametrize(
    ("app", "argv", "reason"),
    [
        ("governance", ["audit_prune"], "the following arguments are required: --before"),
        ("demo", ["seed", "--demo", "--users", "abc"], "argument --users: invalid int value: 'abc'"),
        ("wallets", ["verify_ledger", "--wallet", "1", "2"], "unrecognized arguments: 2"),
    ],
)
def test_bad_options_from_the_shell_are_one_line_and_exit_1(app, argv, reason, capsys):
    command = load_command_class(app, argv[0])
    with pytest.raises(SystemExit) as exc:
        command.run_from_argv(["manage.py", *argv])
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert captured.err == f"CommandError: {reason} (see --help).\n"
    assert captured.out == ""


def test_bad_options_from_call_command_still_raise_command_error():
    with pytest.raises(CommandError, match="the following arguments are required: --before"):
        call_command("audit_prune")
