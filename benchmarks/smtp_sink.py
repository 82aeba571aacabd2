"""A loopback SMTP server that accepts every mail and counts it.

smtp_sink.py PORT STATS_FILE [DELAY_MS]: on SIGTERM (or SIGINT) writes {"count", "unique", "times",
"cpu"} to STATS_FILE, where unique counts distinct Message-IDs, times are the arrival times (epoch
seconds) and cpu the sink's own CPU seconds (it shares the cores with the app). It says PIPELINING,
and answers commands that came together in one write, as relays do. DELAY_MS holds each answer back
that long, as the way to a relay elsewhere would.
"""
import asyncio
import json
import re
import signal
import sys
import time

times, message_ids = [], set()
MESSAGE_ID = re.compile(rb"^message-id:(.*)$", re.IGNORECASE | re.MULTILINE)
END_OF_DATA = b"\r\n.\r\n"
LIMIT = 1 << 22  # a message over 4 MB: not one a relay would take either
delay = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0


class Session(asyncio.Protocol):
    """One connection: what it received and has not handled yet, and whether that is a message's data."""

    def connection_made(self, transport):
        self.transport, self.buffer, self.in_data, self.closing = transport, b"", False, False
        self.answer(["220 sink ESMTP"])

    def data_received(self, chunk):
        # Everything that came in this chunk is handled, and answered in one write: a client that pipelines
        # MAIL, RCPT and DATA gets their three answers together (line by line, the sink's own CPU and the
        # app's wake-ups for each answer were a large part of what was measured).
        self.buffer += chunk
        answers = []
        while not self.closing:
            if self.in_data:
                end = self.buffer.find(END_OF_DATA)
                if end < 0:
                    if len(self.buffer) > LIMIT:
                        self.transport.close()
                    break
                data, self.buffer, self.in_data = self.buffer[: end + len(END_OF_DATA)], self.buffer[end + len(END_OF_DATA) :], False
                header = data[: data.find(b"\r\n\r\n")]
                found = MESSAGE_ID.search(header)
                times.append(time.time())
                message_ids.add(found.group(1).strip() if found else None)
                answers.append("250 queued")
                continue
            line_end = self.buffer.find(b"\n")
            if line_end < 0:
                if len(self.buffer) > LIMIT:
                    self.transport.close()
                break
            verb, self.buffer = self.buffer[:4].upper(), self.buffer[line_end + 1 :]
            if verb == b"EHLO":
                answers.append("250-sink\r\n250 PIPELINING")  # as relays say: MAIL, RCPT and DATA may come at once
            elif verb == b"HELO":
                answers.append("250 sink")
            elif verb == b"DATA":
                answers.append("354 go ahead")
                self.in_data = True
            elif verb == b"QUIT":
                answers.append("221 bye")
                self.closing = True
            else:
                answers.append("250 ok")  # MAIL, RCPT, RSET, NOOP
        if answers:
            self.answer(answers)

    def answer(self, lines):
        data = ("\r\n".join(lines) + "\r\n").encode()
        if delay:
            asyncio.get_running_loop().call_later(delay, self.write, data)
        else:
            self.write(data)

    def write(self, data):
        if not self.transport.is_closing():
            self.transport.write(data)
            if self.closing:
                self.transport.close()


async def main(port, stats_file):
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    server = await asyncio.get_running_loop().create_server(Session, "127.0.0.1", port)
    async with server:
        await stop.wait()
    with open(stats_file, "w") as f:
        json.dump({"count": len(times), "unique": len(message_ids), "times": times, "cpu": time.process_time()}, f)


asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
