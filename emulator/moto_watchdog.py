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

import moto.server
from werkzeug.serving import run_simple

# One request at a time inside moto. DynamoDB answers a conditional write
# atomically; moto checks the condition and writes without a lock, so two
# requests handled in parallel threads can both pass the same condition
# (two deliveries both "claiming" an incident). The responder's exactly-once
# guarantees rest on that atomicity, so the emulator must give it: requests
# are still accepted in parallel, and each is answered whole in turn.
_one_at_a_time = threading.Lock()


def _run_serialized(host, port, app, **options):
    def serialized(environ, start_response):
        with _one_at_a_time:
            return list(app(environ, start_response))

    run_simple(host, port, serialized, **options)


moto.server.run_simple = _run_serialized


def exit_when_starter_is_gone() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=exit_when_starter_is_gone, daemon=True).start()
moto.server.main(sys.argv[1:])
