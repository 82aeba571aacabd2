"""Bulk seeding for the benchmark: writes rows straight into the app's database.

users DB FROM TO IDS_FILE   users FROM..TO (1-based, inclusive) over two organizations; the search
                            index follows (SQLite: the app's own triggers; PostgreSQL: its indexes);
                            ids of the first 10,000 go to IDS_FILE (only when FROM is 1)
otp_emails DB COUNT         one ready OTP Email authenticator for each of the first COUNT users
overview DB COUNT           one OTP Email authenticator for each of the first COUNT users, added over the
                            last 30 days: 7 in 10 ready, 2 pending with an expired code, 1 removed; then
                            the overview's counts rebuilt from what is stored, as the app keeps them

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

    def execute(self, sql):
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.uri], input=sql, text=True, check=True)

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


def overview(db, count):
    now = int(time.time() * 1000)
    day = 86_400_000
    chunk = 100_000
    for start in range(1, count + 1, chunk):
        rows = []
        for i in range(start, min(start + chunk, count + 1)):
            created = now - (i % 30) * day - (i * 7919 % day) - 3_600_000
            kind = i % 10
            state = 2 if kind < 7 else 1 if kind < 9 else 3
            rows.append((OTP_BASE + i, USER_BASE + i, f"seeded{i}@example.com", f"seeded{i}@example.com", state, 0, created, "seed",
                         created + 60_000 if state == 2 else None, 1, created + 600_000 if state == 1 else None))
        db.executemany('INSERT OR IGNORE INTO "OtpEmails" ("Id", "UserId", "Address", "NormalizedAddress", "State", '
                       '"FailedAttempts", "CreatedAt", "CreatedBy", "VerifiedAt", "CodesInWindow", "CodeExpiresAt") '
                       'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', rows)
        db.commit()
    # The counts the app keeps with every change, rebuilt from the rows (seeded removals: an hour after the add).
    for sql in COUNTS:
        db.execute(sql)
    db.commit()


COUNTS = [
    'DELETE FROM "UserEnrolments"', 'DELETE FROM "OrganizationTotals"', 'DELETE FROM "OrganizationHours"',
    """INSERT INTO "UserEnrolments" ("UserId", "Ready", "Pending")
       SELECT "UserId", SUM(CASE WHEN "State" = 2 THEN 1 ELSE 0 END), SUM(CASE WHEN "State" = 1 THEN 1 ELSE 0 END)
       FROM "OtpEmails" WHERE "State" <> 3 GROUP BY "UserId" """,
    """INSERT INTO "OrganizationTotals" ("OrganizationId", "Shard", "Users", "WithReady", "WithOnlyPending")
       SELECT u."OrganizationId", 0, COUNT(*), SUM(CASE WHEN e."Ready" > 0 THEN 1 ELSE 0 END),
              SUM(CASE WHEN e."Ready" = 0 AND e."Pending" > 0 THEN 1 ELSE 0 END)
       FROM "Users" u LEFT JOIN "UserEnrolments" e ON e."UserId" = u."Id" WHERE u."State" <> 3 GROUP BY u."OrganizationId" """,
    """INSERT INTO "OrganizationHours" ("OrganizationId", "Hour", "Shard", "Added", "Verified", "Removed", "MailsSent", "MailsFailed")
       SELECT "Org", "H", 0, SUM("A"), SUM("V"), SUM("R"), 0, 0 FROM (
           SELECT u."OrganizationId" AS "Org", a."CreatedAt" / 3600000 AS "H", 1 AS "A", 0 AS "V", 0 AS "R"
           FROM "OtpEmails" a JOIN "Users" u ON u."Id" = a."UserId"
           UNION ALL SELECT u."OrganizationId", a."VerifiedAt" / 3600000, 0, 1, 0
           FROM "OtpEmails" a JOIN "Users" u ON u."Id" = a."UserId" WHERE a."VerifiedAt" IS NOT NULL
           UNION ALL SELECT u."OrganizationId", (a."CreatedAt" + 3600000) / 3600000, 0, 0, 1
           FROM "OtpEmails" a JOIN "Users" u ON u."Id" = a."UserId" WHERE a."State" = 3
       ) AS "Happened" GROUP BY "Org", "H" """,
]


if __name__ == "__main__":
    if sys.argv[2].startswith("postgresql://"):
        database = Postgres(sys.argv[2])
    else:
        database = sqlite3.connect(sys.argv[2], timeout=60)
        database.execute("PRAGMA busy_timeout = 60000")
    if sys.argv[1] == "users":
        users(database, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "overview":
        overview(database, int(sys.argv[3]))
    else:
        otp_emails(database, int(sys.argv[3]))
