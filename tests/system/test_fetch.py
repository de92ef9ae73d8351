"""The build's two fetchers (tools/fetch_linux.py, tools/fetch_libfdt.py)
run in parallel on a fresh machine (scons -j): each may run `apt-get
update`, and two at once made the second fail on apt's lock
("E: Could not get lock /var/lib/apt/lists/lock") and stop the quick start.

A fake apt-get and dpkg on PATH stand in for Debian's: apt-get holds a
lock directory for a while in every call and fails, as apt does, when it
finds the lock taken. Downloads then fail (nothing to download), which
both fetchers report as such.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Long enough that two unserialised calls started together overlap.
HOLD_SECONDS = 1

FAKE_APT = '''#!/bin/sh
if ! mkdir "$FAKE_APT_LOCK" 2>/dev/null; then
	echo "E: Could not get lock /var/lib/apt/lists/lock" >&2
	exit 100
fi
echo "$*" >> "$FAKE_APT_LOG"
sleep %d
rmdir "$FAKE_APT_LOCK"
[ "$1" = update ] && exit 0
echo "E: Unable to locate package (fake)" >&2
exit 100
''' % HOLD_SECONDS

FAKE_DPKG = '''#!/bin/sh
exit 0
'''


def write_tool(path, text):
    path.write_text(text)
    path.chmod(0o755)


@pytest.mark.skipif(os.geteuid() != 0, reason='the fetchers update apt lists only as root')
def test_parallel_fetchers_take_turns_with_apt(tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    write_tool(bin_dir / 'apt-get', FAKE_APT)
    write_tool(bin_dir / 'dpkg', FAKE_DPKG)
    env = dict(os.environ,
               PATH='%s:%s' % (bin_dir, os.environ['PATH']),
               TMPDIR=str(tmp_path),
               FAKE_APT_LOCK=str(tmp_path / 'apt.lock'),
               FAKE_APT_LOG=str(tmp_path / 'apt.log'))
    procs = [subprocess.Popen([sys.executable, os.path.join(ROOT, 'tools', tool),
                               '--out', str(tmp_path / out)],
                              env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
             for tool, out in (('fetch_linux.py', 'linux'),
                               ('fetch_libfdt.py', 'libfdt'))]
    outs = [p.communicate()[0] for p in procs]
    for out in outs:
        assert 'Could not get lock' not in out, out
        assert 'error: cannot download' in out, out
    calls = (tmp_path / 'apt.log').read_text().splitlines()
    # Each fetcher updated the lists and tried its download, in turn.
    assert sum(c.startswith('update') for c in calls) >= 2, calls
    assert sum(c.startswith('download') for c in calls) >= 2, calls
