"""Bulk seeding for the benchmark: writes rows straight into the app's SQLite file.

users DB FROM TO IDS_FILE   users FROM..TO (1-based, inclusive) over two organizations; the search
                            index follows through the app's own triggers; ids of the first 10,000
                            go to IDS_FILE (only when FROM is 1)
otp_emails DB COUNT         one ready OTP Email authenticator for each of the first COUNT users
"""
import random
import sqlite3
import sys
import time

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
        rows = [(OTP_BASE + i, USER_BASE + i, f"seeded{i}@example.com", f"seeded{i}@example.com", 2, now, "seed", now)
                for i in range(start, min(start + chunk, count + 1))]
        db.executemany('INSERT OR IGNORE INTO "OtpEmails" ("Id", "UserId", "Address", "NormalizedAddress", "State", '
                       '"FailedAttempts", "CreatedAt", "CreatedBy", "VerifiedAt", "CodesInWindow") '
                       'VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, 0)', rows)
        db.commit()


if __name__ == "__main__":
    database = sqlite3.connect(sys.argv[2], timeout=60)
    database.execute("PRAGMA busy_timeout = 60000")
    if sys.argv[1] == "users":
        users(database, int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    else:
        otp_emails(database, int(sys.argv[3]))
