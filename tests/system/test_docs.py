"""What the service author's documentation names exists (issue 15, item
10): every ipc_*, IPC_*, IRQ_NOTIFY_* and HYP_IPC_* / HYP_IRQ_* name that
libipc/README.md, the comments of libipc's headers, the scenario header
(kernel/include/hyp/config.h) and the services' sources and READMEs
mention is defined (a function, macro, type, field or enumerator) in a
header of libipc/include or kernel/include."""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = re.compile(r'\b((?:ipc|IPC|IRQ_NOTIFY|HYP_IPC|HYP_IRQ)_\w*[A-Za-z0-9])\b')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def files(*patterns):
    return sorted(f for p in patterns
                  for f in glob.glob(os.path.join(ROOT, p), recursive=True))


def defined_names():
    names = set()
    for h in files('libipc/include/**/*.h', 'kernel/include/**/*.h'):
        with open(h) as f:
            code = COMMENT.sub(' ', f.read())
        names |= set(re.findall(r'#define\s+(\w+)', code))
        names |= set(re.findall(r'\b(\w+)\s*\(', code))           # functions
        names |= set(re.findall(r'\b(\w+)\s*(?:[,=;\[]|:\s*\d)', code))  # fields, enumerators
        names |= set(re.findall(r'\b(?:struct|enum|union)\s+(\w+)', code))
    return names


def mentioned_names():
    """name -> the files that mention it."""
    where = {}
    for path in files('libipc/README.md', 'services/**/README.md'):
        with open(path) as f:
            text = f.read()
        for n in NAME.findall(text):
            where.setdefault(n, set()).add(os.path.relpath(path, ROOT))
    for path in files('libipc/include/**/*.h', 'kernel/include/hyp/config.h',
                      'services/**/*.[ch]'):
        with open(path) as f:
            text = ' '.join(COMMENT.findall(f.read()))
        for n in NAME.findall(text):
            where.setdefault(n, set()).add(os.path.relpath(path, ROOT))
    return where


def test_docs_name_only_what_exists():
    defined = defined_names()
    stale = {n: sorted(w) for n, w in mentioned_names().items() if n not in defined}
    assert not stale, 'named in docs but defined nowhere: %s' % stale


def test_the_check_sees_a_stale_name():
    assert 'ipc_kept' not in defined_names()
    assert 'ipc_self_info' in defined_names() and 'kept' in defined_names()
    assert 'IRQ_NOTIFY_BIT' in defined_names()
    assert 'ipc_irq_level' in mentioned_names()
