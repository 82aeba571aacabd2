"""A loopback SMTP server that accepts every mail and counts it.

smtp_sink.py PORT STATS_FILE: on SIGTERM (or SIGINT) writes {"count", "unique", "times"} to
STATS_FILE, where unique counts distinct Message-IDs and times are the arrival times (epoch seconds).
"""
import asyncio
import json
import signal
import sys
import time

times, message_ids = [], set()


async def serve(reader, writer):
    def reply(line):
        writer.write(line.encode() + b"\r\n")

    reply("220 sink ESMTP")
    await writer.drain()
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"EHLO":
            reply("250-sink")
            reply("250 PIPELINING")  # as relays say: the client may send MAIL, RCPT and DATA at once
        elif verb == b"HELO":
            reply("250 sink")
        elif verb == b"DATA":
            reply("354 go ahead")
            await writer.drain()
            message_id = None
            while (data := await reader.readline()) not in (b".\r\n", b""):
                if message_id is None and data[:11].lower() == b"message-id:":
                    message_id = data[11:].strip()
            times.append(time.time())
            message_ids.add(message_id)
            reply("250 queued")
        elif verb == b"QUIT":
            reply("221 bye")
            await writer.drain()
            break
        else:
            reply("250 ok")  # MAIL, RCPT, RSET, NOOP
        await writer.drain()
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
