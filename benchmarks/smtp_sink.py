"""A loopback SMTP server that accepts every mail and counts it.

smtp_sink.py PORT STATS_FILE [DELAY_MS]: on SIGTERM (or SIGINT) writes {"count", "unique", "times"}
to STATS_FILE, where unique counts distinct Message-IDs and times are the arrival times (epoch
seconds). DELAY_MS holds each answer back that long, as the way to a relay elsewhere would.
"""
import asyncio
import json
import signal
import sys
import time

times, message_ids = [], set()
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
        if verb in (b"EHLO", b"HELO"):
            await reply("250 sink")
        elif verb == b"DATA":
            await reply("354 go ahead")
            message_id = None
            while (data := await reader.readline()) not in (b".\r\n", b""):
                if message_id is None and data[:11].lower() == b"message-id:":
                    message_id = data[11:].strip()
            times.append(time.time())
            message_ids.add(message_id)
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
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    async with server:
        await stop.wait()
    with open(stats_file, "w") as f:
        json.dump({"count": len(times), "unique": len(message_ids), "times": times}, f)


asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
