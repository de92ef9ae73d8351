"""tools/run_tests.py, the driver of `scons test` (review of issue 15):
pytest's exit status 5, no test collected (a --pytest-args filter that
matches nothing, a broken conftest), is a failure with a line that says so,
never a silent success."""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import run_tests  # noqa: E402


def test_no_system_test_collected_is_a_failure(capsys):
    args = argparse.Namespace(build='build', qemu='qemu-system-aarch64', timeout=60,
                              pytest_args='-k no_test_is_named_like_this')
    passed, failed = run_tests.run_system_tests(args)
    assert (passed, failed) == (0, 1)
    assert ('system tests: pytest collected no test (exit status 5)'
            in capsys.readouterr().out)
