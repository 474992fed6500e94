#!/usr/bin/python3
"""Send MB megabytes of zeros to HOST:PORT, then wait for the peer to close.

usage: /usr/bin/python3 bench/send.py HOST PORT MB

The timing of a published port (bench/run.sh, row port_throughput): the run
ends only when the receiver has read everything and closed its side. A
receiver that is not listening yet (a connection reset or closed before any
byte was taken) is retried for up to 5 s; any other short transfer fails.
"""

import socket
import sys
import time


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    host, port, mb = argv[0], int(argv[1]), int(argv[2])
    chunk = b"\0" * (1 << 20)
    deadline = time.monotonic() + 5
    while True:
        sent = 0
        try:
            with socket.create_connection((host, port), timeout=30) as s:
                for _ in range(mb):
                    s.sendall(chunk)
                    sent += len(chunk)
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
            return 0
        except OSError as e:
            if sent or time.monotonic() > deadline:
                sys.stderr.write("send.py: %s:%d after %d bytes: %s\n" % (host, port, sent, e))
                return 1
            time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
