#!/usr/bin/env python3
"""The one test command behind `scons test`: cmocka host tests, a short
run of every libFuzzer harness (tools/fuzz.py), then the QEMU system tests
(pytest + pexpect), then one summary line:

    summary: N passed, M failed

Exit status is non-zero if anything failed or nothing ran.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import busyhost  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Whole-suite guard on top of the per-test QEMU timeouts.
SUITE_TIMEOUT = 1800


def run_host_tests(binaries):
    passed = failed = 0
    for binary in binaries:
        proc = subprocess.run([binary], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=300)
        sys.stdout.write(proc.stdout)
        ok = re.search(r'\[  PASSED  \] (\d+) test', proc.stdout)
        bad = re.search(r'\[  FAILED  \] (\d+) test', proc.stdout)
        n_ok = int(ok.group(1)) if ok else 0
        n_bad = int(bad.group(1)) if bad else 0
        if proc.returncode != 0 and n_bad == 0:
            # Crashed or sanitizer abort: count the binary as one failure.
            print('%s: exited with status %d' % (binary, proc.returncode))
            n_bad = 1
        passed += n_ok
        failed += n_bad
    return passed, failed


def run_fuzzers(args):
    """Each harness for --fuzz-seconds; one pass or failure per harness."""
    if not args.fuzzer:
        return 0, 0
    cmd = [sys.executable, os.path.join(ROOT, 'tools', 'fuzz.py'),
           '--seconds', str(args.fuzz_seconds), '--corpus-dir', args.fuzz_corpus,
           '--work-dir', os.path.join(args.build, 'fuzz', 'test'), '--summary']
    cmd += args.fuzzer
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=SUITE_TIMEOUT)
    sys.stdout.write(proc.stdout)
    m = re.search(r'fuzz: (\d+) passed, (\d+) failed', proc.stdout)
    if not m:
        return 0, max(1, len(args.fuzzer))
    passed, failed = int(m.group(1)), int(m.group(2))
    if proc.returncode != 0 and failed == 0:
        failed = 1
    return passed, failed


# pytest's exit status when it collected no test (pytest.ExitCode.NO_TESTS_COLLECTED).
PYTEST_NO_TESTS = 5


def run_system_tests(args):
    cmd = [sys.executable, '-m', 'pytest', os.path.join(ROOT, 'tests', 'system'),
           '-v', '-p', 'no:cacheprovider', '--build', args.build,
           '--qemu', args.qemu, '--qemu-timeout', str(args.timeout)]
    cmd += shlex.split(args.pytest_args or '')
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, cwd=ROOT)
    tail = []
    for line in proc.stdout:
        sys.stdout.write(line)
        tail.append(line)
    proc.wait(timeout=SUITE_TIMEOUT)
    text = ''.join(tail[-5:])
    passed = sum(int(n) for n in re.findall(r'(\d+) passed', text))
    failed = sum(int(n) for n in re.findall(r'(\d+) (?:failed|error)', text))
    if proc.returncode == PYTEST_NO_TESTS:
        print('system tests: pytest collected no test (exit status %d): a '
              '--pytest-args filter that matches nothing, or a test module '
              'that cannot be collected' % PYTEST_NO_TESTS)
        failed = max(failed, 1)
    elif proc.returncode != 0 and failed == 0:
        failed = 1
    return passed, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--build', required=True)
    ap.add_argument('--qemu', default='qemu-system-aarch64')
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('--host-test', action='append', default=[])
    ap.add_argument('--pytest-args', default='')
    ap.add_argument('--fuzzer', action='append', default=[])
    ap.add_argument('--fuzz-seconds', type=int, default=10)
    ap.add_argument('--busy', type=int, default=0,
                    help='CPU-bound loops to run beside the system tests')
    ap.add_argument('--fuzz-corpus', default=os.path.join(ROOT, 'tests', 'fuzz', 'corpus'))
    args = ap.parse_args()

    print('== host unit tests (cmocka, ASan+UBSan) ==')
    hp, hf = run_host_tests(args.host_test)
    print('== fuzzers (libFuzzer, ASan+UBSan, %d s each) ==' % args.fuzz_seconds)
    fp, ff = run_fuzzers(args)
    print('== QEMU system tests%s ==' % (
        ' (%d busy loops beside them)' % args.busy if args.busy > 0 else ''))
    with busyhost.BusyHost(max(0, args.busy)):
        sp, sf = run_system_tests(args)
    passed, failed = hp + fp + sp, hf + ff + sf
    print('host: %d passed, %d failed; fuzz: %d passed, %d failed; '
          'system: %d passed, %d failed' % (hp, hf, fp, ff, sp, sf))
    print('summary: %d passed, %d failed' % (passed, failed))
    if failed or passed == 0:
        sys.exit(1)


if __name__ == '__main__':
    main()
