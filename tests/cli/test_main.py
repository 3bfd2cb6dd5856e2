"""The command group (``cli.main``): every command has help with an example."""

import click
import pytest
from click.testing import CliRunner

from territory_opt.cli import main


def all_commands(group: click.Group) -> list[str]:
    return sorted(group.commands)


@pytest.mark.parametrize("name", all_commands(main))
def test_every_command_has_help_with_an_example(name: str) -> None:
    res = CliRunner().invoke(main, [name, "--help"])
    assert res.exit_code == 0
    assert "Example:" in res.output, f"{name} --help has no example"
