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
LIMIT = 10240000  # a message over the SIZE it says: the connection is closed
delay = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0
# What Postfix 3.7 says to EHLO by default (without TLS): the client's choices follow from it.
EHLO = "\r\n".join(f"250-{line}" for line in ["sink", "PIPELINING", f"SIZE {LIMIT}", "VRFY", "ETRN", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8"]) + "\r\n250 CHUNKING"


class Session(asyncio.Protocol):
    """One connection: what it received and has not handled yet, and whether that is a message's data."""

    def connection_made(self, transport):
        self.transport, self.buffer, self.in_data, self.closing = transport, b"", False, False
        self.chunk, self.last, self.message = None, False, b""  # BDAT: bytes of its chunk still to come, whether it is the last
        self.answer(["220 sink ESMTP"])

    def data_received(self, chunk):
        # Everything that came in this chunk is handled, and answered in one write: a client that pipelines
        # MAIL and RCPT gets their answers together (line by line, the sink's own CPU and the app's wake-ups
        # for each answer were a large part of what was measured). A message comes by DATA (up to the
        # line with a dot) or by BDAT (its chunks, each of the size its command gives).
        self.buffer += chunk
        answers = []
        while not self.closing:
            if self.chunk is not None:
                taken = self.buffer[: self.chunk]
                self.buffer, self.chunk, self.message = self.buffer[len(taken) :], self.chunk - len(taken), self.message + taken
                if self.chunk:
                    break
                if self.last:
                    self.received(self.message)
                    self.message = b""
                answers.append("250 2.0.0 Ok: queued" if self.last else "250 2.0.0 Ok: chunk")
                self.chunk = None
                continue
            if self.in_data:
                end = self.buffer.find(END_OF_DATA)
                if end < 0:
                    if len(self.buffer) > LIMIT:
                        self.transport.close()
                    break
                data, self.buffer, self.in_data = self.buffer[: end + len(END_OF_DATA)], self.buffer[end + len(END_OF_DATA) :], False
                self.received(data)
                answers.append("250 queued")
                continue
            line_end = self.buffer.find(b"\n")
            if line_end < 0:
                if len(self.buffer) > LIMIT:
                    self.transport.close()
                break
            line, self.buffer = self.buffer[:line_end].strip(), self.buffer[line_end + 1 :]
            verb = line[:4].upper()
            if verb == b"EHLO":
                answers.append(EHLO)
            elif verb == b"BDAT":
                size, *last = line.split()[1:]
                self.chunk, self.last = int(size), bool(last) and last[0].upper() == b"LAST"
                if len(self.message) + self.chunk > LIMIT:
                    self.transport.close()
                    break
            elif verb == b"HELO":
                answers.append("250 sink")
            elif verb == b"DATA":
                answers.append("354 go ahead")
                self.in_data = True
            elif verb == b"QUIT":
                answers.append("221 bye")
                self.closing = True
            else:
                if verb == b"RSET":
                    self.message = b""  # a message's chunks so far are dropped
                answers.append("250 ok")  # MAIL, RCPT, RSET, NOOP
        if answers:
            self.answer(answers)

    def received(self, message):
        found = MESSAGE_ID.search(message[: message.find(b"\r\n\r\n")])
        times.append(time.time())
        message_ids.add(found.group(1).strip() if found else None)

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
