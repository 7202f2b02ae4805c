#!/usr/bin/env python3
"""Where a responder's CPU goes, per IKE SA, from a perf profile of it.

Reads `perf script -F ip,sym,dso` (call chains, `perf record -g`) on stdin and
puts each sample in one share:

  libcrypto      a frame of libcrypto anywhere in the chain, or a libc call
                 whose caller cannot be walked (libcrypto has no frame
                 pointers; printed apart as its own line). DWARF unwinding of
                 the same load (perf record --call-graph dwarf) finds
                 libcrypto under such calls, about as many as this counts.
  kernel         the sample's own frame is in the kernel, split by what the
                 chain shows: sending (sendmmsg/sendmsg, which on loopback
                 also runs the receiving socket's delivery and wakes its
                 reader), receiving (recvmmsg/recvmsg), waiting (epoll), other
  NIO            the first frame of ours is in SwiftNIO (NIOCore, NIOPosix)
  tasks          Swift's task machinery: no frame of ours at all (jobs,
                 task switches), or the event loop's task executor
  MODULE         the first frame of ours is in MODULE (IKEProtocol,
                 CryptoFramework, ...): that module's code and the runtime
                 work under it (allocation, reference counting)
  stdlib         a specialised standard-library function with no frame of ours above it

Usage: perf script -F ip,sym,dso | profile-decompose.py MICROSECONDS_PER_SA
The argument is the responder's CPU per SA measured over the same run (with
perf attached); each share is printed as its part of it.
"""
import collections
import re
import sys

RUNTIME = ('libc.so', 'libswiftCore', 'libswift_Concurrency', 'ld-linux', 'libstdc++', 'libdispatch',
           'libswiftSynchronization', '[vdso]', 'libFoundation')


def module_of(symbol):
    """The module of a Swift mangled symbol ($s<length><Module>...), or None."""
    m = re.match(r'\$s(\d+)([A-Za-z_][A-Za-z0-9_]*)', symbol)
    if not m:
        return None
    return m.group(2)[:int(m.group(1))]


def share(chain):
    symbols = ' '.join(s for s, _ in chain)
    leaf_dso = chain[0][1]
    if 'kernel' in leaf_dso:
        if 'sendmmsg' in symbols or 'sendmsg' in symbols:
            return 'kernel: sending (with loopback delivery to the peer)'
        if 'recvmmsg' in symbols or 'recvmsg' in symbols:
            return 'kernel: receiving'
        if 'epoll' in symbols:
            return 'kernel: waiting (epoll)'
        return 'kernel: other'
    if any('libcrypto' in d for _, d in chain):
        return 'libcrypto'
    for symbol, dso in chain:
        if any(r in dso for r in RUNTIME):
            continue
        if symbol == '[unknown]':
            return 'libcrypto, unwalked'  # a libc call from a frame that cannot be walked
        module = module_of(symbol)
        if module in ('NIOCore', 'NIOPosix', 'NIOConcurrencyHelpers', 'NIOEmbedded'):
            return 'NIO'
        if 'EventLoopTaskExecutor' in symbol:
            return 'tasks'
        if module is None:
            return 'stdlib'  # $ss…: the standard library, specialised into the binary
        return module
    return 'tasks'


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: perf script -F ip,sym,dso | profile-decompose.py MICROSECONDS_PER_SA')
    per_sa = float(sys.argv[1])
    shares = collections.Counter()
    chain = []
    for line in sys.stdin:
        line = line.strip()
        if not line:
            if chain:
                shares[share(chain)] += 1
            chain = []
            continue
        parts = line.split(None, 1)
        if len(parts) < 2 or not re.fullmatch(r'[0-9a-fA-F]+', parts[0]):
            continue  # not a frame (an event header, if perf script was asked for more fields)
        rest = parts[1]
        if rest.endswith(')') and '(' in rest:
            symbol, dso = rest.rsplit('(', 1)
            dso = dso[:-1]
        else:
            symbol, dso = rest, ''
        chain.append((symbol.strip(), dso))
    if chain:
        shares[share(chain)] += 1
    total = sum(shares.values())
    if total == 0:
        sys.exit('profile-decompose: no samples (was perf record -g attached to the responder?)')
    scale = per_sa / total
    kernel = sum(c for k, c in shares.items() if k.startswith('kernel'))
    libcrypto = shares['libcrypto'] + shares['libcrypto, unwalked']
    print(f'{total} samples, {per_sa:.1f} us of CPU per SA')
    print(f'  {libcrypto * scale:7.1f} us  libcrypto')
    print(f'  {"":9}{shares["libcrypto, unwalked"] * scale:6.1f} us  of which libc calls under frames perf could not walk')
    print(f'  {kernel * scale:7.1f} us  kernel')
    for k, c in sorted(shares.items()):
        if k.startswith('kernel'):
            print(f'  {"":9}{c * scale:6.1f} us  {k[8:]}')
    rest = [(k, c) for k, c in shares.most_common() if not k.startswith('libcrypto') and not k.startswith('kernel')]
    print(f'  {sum(c for _, c in rest) * scale:7.1f} us  everything else:')
    for k, c in rest:
        print(f'  {"":9}{c * scale:6.1f} us  {k}')


if __name__ == '__main__':
    main()
