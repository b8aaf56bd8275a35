"""Shared fixtures: the command line built beside the library, the golden
inputs of tests/cli/data, and a helper that runs the CLI."""

import os
import re
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(TOP, "tests", "cli", "data")
CASES = os.path.join(TOP, "tests", "cli", "cases")
CLI = os.environ.get("TECHIDX_CLI", os.path.join(TOP, "build", "techidx"))


class Cli(object):
    def __init__(self, cwd):
        self.cwd = cwd

    def __call__(self, *args, check=True):
        p = subprocess.run([CLI] + [str(a) for a in args], cwd=self.cwd,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and p.returncode != 0:
            raise AssertionError("techidx %s: exit %d\n%s" % (" ".join(map(str, args)),
                                                            p.returncode, p.stderr.decode()))
        return p

    def read(self, name):
        with open(os.path.join(self.cwd, name), "rb") as f:
            return f.read()


@pytest.fixture
def cli(tmp_path):
    if not os.access(CLI, os.X_OK):
        pytest.fail("no command line at %s (make, or set TECHIDX_CLI)" % CLI)
    return Cli(str(tmp_path))


def data(*parts):
    return os.path.join(DATA, *parts)


def as_keywords(cli_message):
    """The CLI's message with --option-name shown as the keyword option_name."""
    return re.sub(r"--([a-z][a-z-]*)", lambda m: m.group(1).replace("-", "_"), cli_message)
