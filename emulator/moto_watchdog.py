"""Runs moto_server, and stops it as soon as the process that started it goes away.

The starter keeps our stdin open and never writes to it. When the starter
exits (normally, on a crash, or killed with SIGKILL) the pipe closes, the read
below returns, and the server exits: no emulator is left listening after a
test run, whatever happened to the test run.

Arguments are those of moto_server (-H 127.0.0.1 -p PORT).
"""

import os
import sys
import threading

from moto.server import main


def exit_when_starter_is_gone() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_starter_is_gone, daemon=True).start()
main(sys.argv[1:])
