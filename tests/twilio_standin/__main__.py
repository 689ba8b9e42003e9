"""Run the stand-in as its own process.

python -m tests.twilio_standin --port 0 --account-sid AC... --auth-token T
"""

from __future__ import annotations

import argparse
import signal
import threading

from .server import TwilioStandIn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--callback-delay-ms", type=int, default=50)
    parser.add_argument("--callback-threads", type=int, default=8)
    args = parser.parse_args(argv)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    standin = TwilioStandIn(
        args.account_sid,
        args.auth_token,
        args.host,
        args.port,
        callback_delay_ms=args.callback_delay_ms,
        callback_threads=args.callback_threads,
    )
    with standin:
        # A parent process waits for this exact line to learn the port.
        print(f"listening on {standin.base_url}", flush=True)
        done.wait()


if __name__ == "__main__":
    main()
