"""Bulk seeding for the benchmark: writes rows straight into the app's database.

users DB FROM TO IDS_FILE   users FROM..TO (1-based, inclusive) over two organizations; the search
                            index follows (SQLite: the app's own triggers; PostgreSQL: its indexes);
                            ids of the first 10,000 go to IDS_FILE (only when FROM is 1)
otp_emails DB COUNT         one ready OTP Email authenticator for each of the first COUNT users

DB is the SQLite file, or a postgresql:// URI (rows then go in with psql's COPY).
"""
import csv
import io
import random
import sqlite3
import subprocess
import sys
import time


class Postgres:
    """What seeding needs of a database, over psql: rows go in by COPY, skipping those already there."""

    def __init__(self, uri):
        self.uri = uri

    def executemany(self, sql, rows):
        # 'INSERT [OR IGNORE] INTO "T" ("A", "B") VALUES (?, ?)' -> "T" and ("A", "B")
        head = sql.split(" VALUES ")[0].split(" INTO ")[1]
        table, columns = head.split(" ", 1)
        data = io.StringIO()
        csv.writer(data).writerows(rows)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.uri,
                        "-c", f"CREATE TEMP TABLE seed AS SELECT {columns[1:-1]} FROM {table} WITH NO DATA",
                        "-c", f"COPY seed FROM STDIN WITH (FORMAT csv)",
                        "-c", f"INSERT INTO {table} {columns} SELECT * FROM seed ON CONFLICT DO NOTHING"],
                       input=data.getvalue(), text=True, check=True)

    def commit(self):
        pass


USER_BASE = 200_000_000_000_000_000
OTP_BASE = 500_000_000_000_000_000
ORGS = [(300_000_000_000_000_001, "Acme"), (300_000_000_000_000_002, "Globex")]
SYLLABLES = "an ber cha dor el fin ga hel is jo ka lor mi nu ol pe qui ra sol ta ul vin wen xa yo zed".split()


def name(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def users(db, first, last, ids_file):
    db.executemany('INSERT OR IGNORE INTO "Organizations" ("Id", "Name") VALUES (?, ?)', ORGS)
    chunk = 50_000
    for start in range(first, last + 1, chunk):
        rows = []
        for i in range(start, min(start + chunk, last + 1)):
            rng = random.Random(i)
            given, family = name(rng, 2), name(rng, 3)
            username = f"{given}.{family}.{i}".lower()
            rows.append((USER_BASE + i, ORGS[i % 2][0], username, given, family, f"{given} {family}",
                         f"{username}@example.com", 1, 1))
        db.executemany('INSERT INTO "Users" ("Id", "OrganizationId", "Username", "GivenName", "FamilyName", '
                       '"DisplayName", "Email", "EmailVerified", "State") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', rows)
        db.commit()
    if first == 1:
        with open(ids_file, "w") as f:
            f.writelines(f"{USER_BASE + i}\n" for i in range(1, min(last, 10_000) + 1))


def otp_emails(db, count):
    now = int(time.time() * 1000)
    chunk = 100_000
    for start in range(1, count + 1, chunk):
        rows = [(OTP_BASE + i, USER_BASE + i, f"seeded{i}@example.com", f"seeded{i}@example.com", 2, 0, now, "seed", now, 0)
                for i in range(start, min(start + chunk, count + 1))]
        db.executemany('INSERT OR IGNORE INTO "OtpEmails" ("Id", "UserId", "Address", "NormalizedAddress", "State", '
                       '"FailedAttempts", "CreatedAt", "CreatedBy", "VerifiedAt", "CodesInWindow") '
                       'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', rows)
        db.commit()


if __name__ == "__main__":
    if sys.argv[2].startswith("postgresql://"):
        database = Postgres(sys.argv[2])
    else:
        database = sqlite3.connect(sys.argv[2], timeout=60)
        database.execute("PRAGMA busy_timeout = 60000")
    if sys.argv[1] == "users":
        users(database, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        otp_emails(database, int(sys.argv[3]))
