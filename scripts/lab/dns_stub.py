#!/usr/bin/python3
"""A DNS server that answers every query with one RCODE (default 2,
SERVFAIL): the lab's "DNS server up but broken" fault (bench/fault_matrix.sh).

dnsmasq cannot be told to fail every lookup (it answers local names itself
and REFUSEs the rest), so this stays a few lines of stdlib UDP: the header
is echoed with QR/RA set and the question copied, no answer records.
"""
import argparse
import socket
import struct


def answer(query, rcode):
    if len(query) < 12:
        return None
    qid, flags, qdcount = struct.unpack("!HHH", query[:6])
    # Copy the first question (name labels, then type and class).
    i = 12
    while i < len(query) and query[i] != 0:
        i += 1 + query[i]
    question = query[12:i + 5] if qdcount and i + 5 <= len(query) else b""
    rd = flags & 0x0100
    out_flags = 0x8000 | 0x0080 | rd | (rcode & 0xF)
    return struct.pack("!HHHHHH", qid, out_flags, 1 if question else 0, 0, 0,
                       0) + question


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True, help="ip:port")
    ap.add_argument("--rcode", type=int, default=2)
    args = ap.parse_args()
    host, port = args.listen.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, int(port)))
    while True:
        data, peer = sock.recvfrom(4096)
        reply = answer(data, args.rcode)
        if reply:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
