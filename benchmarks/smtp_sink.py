"""A loopback SMTP server that accepts every mail and counts it.

smtp_sink.py PORT STATS_FILE [DELAY_MS]: on SIGTERM (or SIGINT) writes {"count", "unique", "times",
"cpu"} to STATS_FILE, where unique counts distinct Message-IDs, times are the arrival times (epoch
seconds) and cpu the sink's own CPU seconds (it shares the cores with the app). It says PIPELINING,
as relays do. DELAY_MS holds each answer back that long, as the way to a relay elsewhere would.
"""
import asyncio
import json
import re
import signal
import sys
import time

times, message_ids = [], set()
MESSAGE_ID = re.compile(rb"^message-id:(.*)$", re.IGNORECASE | re.MULTILINE)
delay = float(sys.argv[3]) / 1000 if len(sys.argv) > 3 else 0.0


async def serve(reader, writer):
    async def reply(line):
        if delay:
            await asyncio.sleep(delay)
        writer.write(line.encode() + b"\r\n")
        await writer.drain()

    await reply("220 sink ESMTP")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"EHLO":
            await reply("250-sink\r\n250 PIPELINING")  # as relays say: MAIL, RCPT and DATA may come at once
        elif verb == b"HELO":
            await reply("250 sink")
        elif verb == b"DATA":
            await reply("354 go ahead")
            try:  # the whole message at once: line by line, the sink's own CPU was the pace of delivery
                data = await reader.readuntil(b"\r\n.\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                break  # the connection ended, or a message over 4 MB: not one a relay would take either
            header = data[: data.find(b"\r\n\r\n")]
            found = MESSAGE_ID.search(header)
            times.append(time.time())
            message_ids.add(found.group(1).strip() if found else None)
            await reply("250 queued")
        elif verb == b"QUIT":
            await reply("221 bye")
            break
        else:
            await reply("250 ok")  # MAIL, RCPT, RSET, NOOP
    writer.close()


async def main(port, stats_file):
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    server = await asyncio.start_server(serve, "127.0.0.1", port, limit=1 << 22)
    async with server:
        await stop.wait()
    with open(stats_file, "w") as f:
        json.dump({"count": len(times), "unique": len(message_ids), "times": times, "cpu": time.process_time()}, f)


asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
