""".ci/run sets the machine up with README.md's own quick start (issue 15,
item 9): it runs the quick start's first line (typing `poweroff` at the
guest's shell), then its test line, nothing else. Run here on a copy with
apt-get and scons replaced by recorders."""
import os
import shutil
import stat
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

RECORDER = '''#!/bin/sh
echo "$(basename "$0") $*" >> "$CI_LOG"
if [ "$*" = "qemu=1" ] || [ "$*" = "qemu=1 smp=1" ]; then
	read -r line; echo "  stdin: $line" >> "$CI_LOG"
fi
'''


def run_ci(tmp_path, readme_edit=lambda text: text):
    """.ci/run on a copy of the tree's README.md (edited by @readme_edit);
    returns (exit status, commands it ran, output)."""
    os.makedirs(tmp_path / '.ci')
    shutil.copy(os.path.join(ROOT, '.ci', 'run'), tmp_path / '.ci' / 'run')
    with open(os.path.join(ROOT, 'README.md')) as f:
        (tmp_path / 'README.md').write_text(readme_edit(f.read()))
    bin_dir = tmp_path / 'bin'
    os.makedirs(bin_dir)
    for tool in ('apt-get', 'scons'):
        (bin_dir / tool).write_text(RECORDER)
        (bin_dir / tool).chmod(stat.S_IRWXU)
    log = tmp_path / 'ci.log'
    env = dict(os.environ, PATH='%s:%s' % (bin_dir, os.environ['PATH']),
               CI_LOG=str(log))
    r = subprocess.run(['bash', str(tmp_path / '.ci' / 'run')], env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    ran = log.read_text().splitlines() if log.exists() else []
    return r.returncode, ran, r.stdout


def test_ci_runs_the_readme_quick_start_and_nothing_else(tmp_path):
    status, ran, out = run_ci(tmp_path)
    assert status == 0, out
    assert ran == ['apt-get update', 'apt-get install -y scons', 'scons qemu=1',
                   '  stdin: poweroff', 'scons test'], out


def test_ci_follows_a_changed_readme_line(tmp_path):
    status, ran, out = run_ci(tmp_path, lambda t: t.replace(
        'apt-get install -y scons && scons qemu=1 ',
        'apt-get install -y scons python3 && scons qemu=1 smp=1 '))
    assert status == 0, out
    assert ran == ['apt-get update', 'apt-get install -y scons python3',
                   'scons qemu=1 smp=1', '  stdin: poweroff', 'scons test'], out


def test_ci_fails_when_the_quick_start_fails(tmp_path):
    status, ran, out = run_ci(tmp_path, lambda t: t.replace(
        'apt-get update && ', 'false && '))
    assert status != 0, out
    assert ran == [], out


def test_ci_refuses_a_readme_without_quick_start(tmp_path):
    status, ran, out = run_ci(tmp_path, lambda t: t.replace(
        '## Quick start', '## Getting going'))
    assert status != 0
    assert "README.md has no two-line quick start" in out
    assert ran == []
