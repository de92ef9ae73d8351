#!/usr/bin/env python3
"""Run the libFuzzer harnesses built from tests/fuzz/ and print one table:

    harness | seconds | executions | exec/s | corpus size | result

    tools/fuzz.py --seconds 60 --corpus-dir tests/fuzz/corpus \\
        build/host/fuzz/fuzz_*

Each BINARY runs for --seconds (libFuzzer -max_total_time) on a writable
working corpus under --work-dir (default build/fuzz): corpus/<harness>/ is
seeded from --corpus-dir/<harness>/ (never written to) and kept between
runs, so later runs start from what earlier ones found. A crash, leak,
timeout or out-of-memory input is kept under <work-dir>/artifacts/<harness>/
and its path printed, with the tail of the harness's log
(<work-dir>/logs/<harness>.log).

Exit status is non-zero if any harness found something or a binary is
missing. --json FILE writes the rows; --summary ends the output with one
line for the test runner:

    fuzz: N passed, M failed

(one count per harness).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Seconds one input may take before libFuzzer calls it a hang.
INPUT_TIMEOUT = 25
# Grace on top of --seconds before a whole run counts as hung.
RUN_GRACE = 120
# Lines of a failing harness's log to print: those that say what broke.
LOG_LINES = 20
KEY_LINE_RE = re.compile(r'invariant|ERROR:|runtime error|SUMMARY:|'
                         r'^\s+#\d+ .*/(kernel|services|libipc|lib/src|tests)/')

DONE_RE = re.compile(r'^Done (\d+) runs in (\d+) second', re.M)
STAT_RE = re.compile(r'^stat::(\w+):\s+(\d+)', re.M)
CORP_RE = re.compile(r'corp: (\d+)/')
ARTIFACT_RE = re.compile(r"Test unit written to (\S+)")
# What libFuzzer reports, most specific first, and the result we print.
FINDINGS = (
    ('ERROR: libFuzzer: timeout', 'timeout'),
    ('ERROR: libFuzzer: out-of-memory', 'oom'),
    ('ERROR: LeakSanitizer', 'leak'),
    ('ERROR: AddressSanitizer', 'crash'),
    ('runtime error:', 'crash'),
    ('ERROR: libFuzzer: deadly signal', 'crash'),
)


def harness_name(binary):
    return os.path.basename(binary)


def seed_dir(corpus_dir, name):
    """tests/fuzz/corpus/<name>/, or .../<name without fuzz_>/."""
    for cand in (name, name[len('fuzz_'):] if name.startswith('fuzz_') else None):
        if cand and os.path.isdir(os.path.join(corpus_dir, cand)):
            return os.path.join(corpus_dir, cand)
    return None


def prepare_corpus(seeds, work):
    """Copy seeds that the working corpus lacks; the seeds stay untouched."""
    os.makedirs(work, exist_ok=True)
    if seeds is None:
        return
    for entry in sorted(os.listdir(seeds)):
        src = os.path.join(seeds, entry)
        dst = os.path.join(work, 'seed-' + entry)
        if os.path.isfile(src) and not os.path.exists(dst):
            shutil.copyfile(src, dst)


def count_files(path):
    try:
        return sum(1 for e in os.scandir(path) if e.is_file())
    except FileNotFoundError:
        return 0


def classify(returncode, log):
    if returncode == 0:
        return 'ok'
    for needle, result in FINDINGS:
        if needle in log:
            return result
    return 'error (status %d)' % returncode


def run_one(binary, args):
    name = harness_name(binary)
    row = {'harness': name, 'binary': binary, 'seconds': 0,
           'executions': 0, 'exec_per_sec': 0, 'corpus': 0,
           'result': 'missing', 'artifact': None, 'log': None}
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        return row
    corpus = os.path.join(args.work_dir, 'corpus', name)
    artifacts = os.path.join(args.work_dir, 'artifacts', name)
    logs = os.path.join(args.work_dir, 'logs')
    for d in (artifacts, logs):
        os.makedirs(d, exist_ok=True)
    prepare_corpus(seed_dir(args.corpus_dir, name), corpus)
    log_path = os.path.join(logs, name + '.log')
    cmd = [os.path.abspath(binary), '-max_total_time=%d' % args.seconds,
           '-timeout=%d' % INPUT_TIMEOUT, '-print_final_stats=1',
           '-artifact_prefix=%s/' % os.path.abspath(artifacts),
           os.path.abspath(corpus)]
    start = time.monotonic()
    with open(log_path, 'w') as log:
        try:
            proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT,
                                  timeout=args.seconds + RUN_GRACE)
            status = proc.returncode
        except subprocess.TimeoutExpired:
            status = None
    elapsed = time.monotonic() - start
    with open(log_path, errors='replace') as log:
        text = log.read()
    stats = {k: int(v) for k, v in STAT_RE.findall(text)}
    done = DONE_RE.findall(text)
    execs = stats.get('number_of_executed_units')
    if execs is None and done:
        execs = int(done[-1][0])
    seconds = int(done[-1][1]) if done else int(round(elapsed))
    corp = CORP_RE.findall(text)
    artifact = ARTIFACT_RE.findall(text)
    row.update({
        'seconds': seconds,
        'executions': execs or 0,
        'exec_per_sec': (execs or 0) // max(seconds, 1),
        'corpus': count_files(corpus) or (int(corp[-1]) if corp else 0),
        'result': 'hung' if status is None else classify(status, text),
        'artifact': artifact[-1] if artifact else None,
        'log': log_path,
    })
    if row['result'] != 'ok' and row['artifact'] is None:
        row['artifact'] = newest(artifacts)
    return row


def newest(path):
    files = [os.path.join(path, f) for f in os.listdir(path)]
    files = [f for f in files if os.path.isfile(f)]
    return max(files, key=os.path.getmtime) if files else None


def print_table(rows):
    head = ('harness', 'seconds', 'executions', 'exec/s', 'corpus size',
            'result')
    cells = [head] + [(r['harness'], str(r['seconds']), str(r['executions']),
                       str(r['exec_per_sec']), str(r['corpus']), r['result'])
                      for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    for n, c in enumerate(cells):
        print(' | '.join(c[i].ljust(widths[i]) if i in (0, 5)
                         else c[i].rjust(widths[i])
                         for i in range(len(c))).rstrip())
        if n == 0:
            print('-+-'.join('-' * w for w in widths))


def report_failures(rows):
    for r in rows:
        if r['result'] == 'ok':
            continue
        if r['result'] == 'missing':
            print('%s: binary %s missing (build it first)'
                  % (r['harness'], r['binary']))
            continue
        print('\n%s: %s; input kept at %s; reproduce with: %s %s'
              % (r['harness'], r['result'], r['artifact'], r['binary'],
                 r['artifact']))
        with open(r['log'], errors='replace') as log:
            lines = log.read().splitlines()
        key = [ln for ln in lines if KEY_LINE_RE.search(ln)]
        print('  ' + '\n  '.join(key[:LOG_LINES] or lines[-LOG_LINES:]))
        print('  (full log: %s)' % r['log'])


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('binaries', metavar='BINARY', nargs='+')
    ap.add_argument('--seconds', type=int, required=True,
                    help='run time of each harness')
    ap.add_argument('--jobs', type=int, default=1,
                    help='harnesses run at once (default 1)')
    ap.add_argument('--corpus-dir', required=True,
                    help='seed corpora: DIR/<harness>/ (read only)')
    ap.add_argument('--work-dir', default=os.path.join(ROOT, 'build', 'fuzz'),
                    help='working corpora, artifacts and logs '
                    '(default build/fuzz)')
    ap.add_argument('--json', metavar='FILE', help='write the results here')
    ap.add_argument('--summary', action='store_true',
                    help="end with 'fuzz: N passed, M failed'")
    args = ap.parse_args()
    if args.seconds < 1 or args.jobs < 1:
        ap.error('--seconds and --jobs must be at least 1')
    args.work_dir = os.path.abspath(args.work_dir)

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(lambda b: run_one(b, args), args.binaries))
    print_table(rows)
    report_failures(rows)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=2)
            f.write('\n')
    failed = sum(1 for r in rows if r['result'] != 'ok')
    if args.summary:
        print('fuzz: %d passed, %d failed' % (len(rows) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
