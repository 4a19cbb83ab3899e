#!/usr/bin/env python3
"""Lists functions longer than a limit (default 60 lines) in C++ sources.

A brace-matching scan, not a parser: comments, string and character literals
are blanked, namespace/class/struct/enum bodies are scopes, and any other
brace block at scope level whose header holds a parameter list is a
function. Its length runs from the line of its name to its closing brace.
Lambdas count toward the function that holds them. Hand-written (clang's
AST would need the whole build's flags) because a rough, dependency-free
count is all this measures.

usage: long_functions.py [--max N] [--count] DIR_OR_FILE...
Exit status 0 always: it measures, it does not judge.
"""
import os
import re
import sys

SCOPE = re.compile(r'\b(namespace|class|struct|union|enum)\b|extern\s+"C"')


def blank(text):
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            delim = ')' + (m.group(1) if m else '') + '"'
            j = text.find(delim, i)
            j = n if j < 0 else j + len(delim)
            out.append('""' + re.sub(r'[^\n]', ' ', text[i + 2:j]))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(c + ' ' * (min(j, n) - i - 1) + (c if j < n else ''))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def functions(path):
    text = blank(open(path, encoding='utf-8', errors='replace').read())
    text = re.sub(r'^\s*#.*$', lambda m: ' ' * len(m.group(0)), text,
                  flags=re.M)
    stack = []  # 'scope' or ('fn', start_line, name) or 'block'
    header_start = 0
    line = 1
    found = []
    for i, c in enumerate(text):
        if c == '\n':
            line += 1
        in_fn = any(isinstance(s, tuple) for s in stack)
        if c == '{':
            if in_fn:
                stack.append('block')
                continue
            header = text[header_start:i]
            if SCOPE.search(header) and '(' not in header.split('{')[-1]:
                stack.append('scope')
            elif '(' in header and not re.search(r'=\s*$', header.strip()):
                m = re.search(r'([~\w:<>]+)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)'
                              r'[^()]*$', header, re.S)
                name = m.group(1) if m else '?'
                start = line - header[header.find(name) if m else 0:]\
                    .count('\n') if m else line
                stack.append(('fn', start, name))
            else:
                stack.append('block')
            header_start = i + 1
        elif c == '}':
            top = stack.pop() if stack else None
            if isinstance(top, tuple):
                found.append((line - top[1] + 1, path, top[1], top[2]))
            if not any(isinstance(s, tuple) for s in stack):
                header_start = i + 1
        elif c == ';' and not in_fn:
            header_start = i + 1
    return found


def main(argv):
    limit, count_only, paths = 60, False, []
    args = iter(argv)
    for a in args:
        if a == '--max':
            limit = int(next(args))
        elif a == '--count':
            count_only = True
        else:
            paths.append(a)
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, f) for f in names
                          if f.endswith(('.cc', '.h'))]
        else:
            files.append(p)
    long_ones = sorted((f for p in sorted(files) for f in functions(p)
                        if f[0] > limit), reverse=True)
    if not count_only:
        for n, path, start, name in long_ones:
            print(f'{n:5d} {path}:{start} {name}')
    print(f'{len(long_ones)} functions over {limit} lines')


if __name__ == '__main__':
    main(sys.argv[1:])
