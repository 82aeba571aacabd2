using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;
using static OtpEmail.Admin.Tests.Infrastructure.Data.DbWriterTests;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// On PostgreSQL the rows a write stores by statement go to the server together, with the next
/// command: counted here as Npgsql reports them (one activity for each command or batch it sends),
/// on a writer of the test's own, so that nothing else the app does is counted.
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class DeferredWritesTests(PostgresApiFixture fixture)
{
    private static readonly PreparedInsert<RecipientMailCount> Insert = new();

    [Fact]
    public async Task TwentyRowsOfOneWriteGoToTheServerInAsManyRoundTripsAsOne()
    {
        var one = await RoundTripsAsync(db => InsertAsync(db, 1));
        var twenty = await RoundTripsAsync(db => InsertAsync(db, 20));

        Assert.True(one.Count > 0, "Npgsql reported nothing sent");
        Assert.Equal(one.Count, twenty.Count);
        Assert.Equal(21, await StoredAsync([.. one.Addresses, .. twenty.Addresses]));
    }

    [Fact]
    public async Task TheRowsOfATableThatWaitTogetherGoAsOneStatement()
    {
        var (addresses, _, statements) = await RoundTripsAsync(db => InsertAsync(db, 20));

        Assert.Equal(1, Inserts(statements));
        Assert.Equal(20, await StoredAsync(addresses));
    }

    [Fact]
    public async Task AStatementThatNamesTheTableBetweenRowsFindsItAsRowByRow()
    {
        var (addresses, _, statements) = await RoundTripsAsync(async db =>
        {
            var before = await InsertAsync(db, 1);
            var after = NewAddress();
            await CountAgain.ExecuteAsync(db, [before[0], after], CancellationToken.None); // names the table: the row after it is not there yet
            await Insert.ExecuteAsync(db, Row(after), CancellationToken.None);
            return [before[0], after];
        });

        Assert.Equal(2, Inserts(statements));
        await using var db = fixture.App.CreateDbContext();
        var counts = await db.Set<RecipientMailCount>().AsNoTracking().Where(c => addresses.Contains(c.Address)).ToDictionaryAsync(c => c.Address, c => c.Count);
        Assert.Equal(2, counts[addresses[0]]);
        Assert.Equal(1, counts[addresses[1]]);
    }

    [Fact]
    public async Task ARowGoesAfterItsParentThatWaitedBehindEarlierRowsOfItsTable()
    {
        var existing = long.Parse(await fixture.Api.CreateUserAsync());
        await using var read = fixture.App.CreateDbContext();
        var organization = await read.Users.Where(u => u.Id == existing).Select(u => u.OrganizationId).SingleAsync();
        var ids = fixture.App.Services.GetRequiredService<IdGenerator>();
        var parent = new User
        {
            Id = ids.Next(),
            OrganizationId = organization,
            Username = $"parent-{ids.Next()}",
            GivenName = "Pat",
            FamilyName = "Parent",
            DisplayName = "Pat Parent",
            Email = NewAddress(),
        };
        OtpEmailAuthenticator[] rows = [ReadyAuthenticator(existing), ReadyAuthenticator(parent.Id)];

        var (_, _, statements) = await RoundTripsAsync(async db =>
        {
            await Authenticators.ExecuteAsync(db, rows[0], CancellationToken.None);
            await Users.ExecuteAsync(db, parent, CancellationToken.None); // the parent of the next row, after the first row's insert
            await Authenticators.ExecuteAsync(db, rows[1], CancellationToken.None);
            return [];
        });

        Assert.Equal(2, statements.Sum(s => s.Split("INSERT INTO \"OtpEmails\"").Length - 1));
        Assert.Equal(2, await read.OtpEmails.CountAsync(a => a.Id == rows[0].Id || a.Id == rows[1].Id));
    }

    [Fact]
    public async Task RowsGoneTogetherAreStoredValueForValueNullsAndBytesIncluded()
    {
        var userId = long.Parse(await fixture.Api.CreateUserAsync());
        var ids = fixture.App.Services.GetRequiredService<IdGenerator>();
        var at = new DateTimeOffset(2026, 11, 26, 12, 34, 56, 789, TimeSpan.Zero);
        OtpEmailAuthenticator[] rows =
        [
            new()
            {
                Id = ids.Next(), UserId = userId, Address = NewAddress(), NormalizedAddress = NewAddress(), State = OtpEmailState.Pending,
                CodeHash = [1, 2, 3, 250], CodeExpiresAt = at.AddMinutes(10), FailedAttempts = 2, CodeWindowStart = at, CodesInWindow = 3,
                CreatedAt = at, CreatedBy = "staff-1",
            },
            new()
            {
                Id = ids.Next(), UserId = userId, Address = NewAddress(), NormalizedAddress = NewAddress(), State = OtpEmailState.Ready,
                CreatedAt = at, CreatedBy = "client-1", VerifiedAt = at.AddSeconds(1),
            },
        ];

        var (_, _, statements) = await RoundTripsAsync(async db =>
        {
            foreach (var row in rows)
            {
                await Authenticators.ExecuteAsync(db, row, CancellationToken.None);
            }

            return [];
        });

        Assert.Equal(1, statements.Sum(s => s.Split("INSERT INTO \"OtpEmails\"").Length - 1));
        await using var db = fixture.App.CreateDbContext();
        foreach (var row in rows)
        {
            Assert.Equivalent(row, await db.OtpEmails.AsNoTracking().SingleAsync(a => a.Id == row.Id), strict: true);
        }
    }

    [Fact]
    public async Task AValueLongerThanItsColumnIsRefusedInRowsGoneTogetherNotCut()
    {
        var userId = long.Parse(await fixture.Api.CreateUserAsync());
        OtpEmailAuthenticator[] rows = [ReadyAuthenticator(userId), ReadyAuthenticator(userId, createdBy: new string('s', 201))]; // the column holds 200

        await using (var writer = DbWriterPostgresTests.NewWriter(fixture.App.Services))
        {
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => writer.WriteAsync(Stage<bool>(async db =>
            {
                foreach (var row in rows)
                {
                    await Authenticators.ExecuteAsync(db, row, CancellationToken.None);
                }

                return true;
            }), CancellationToken.None));
            Assert.Equal(PostgresErrorCodes.StringDataRightTruncation, Assert.IsType<PostgresException>(refused.GetBaseException()).SqlState);
        }

        await using var db = fixture.App.CreateDbContext();
        Assert.False(await db.OtpEmails.AnyAsync(a => a.Id == rows[0].Id || a.Id == rows[1].Id));
    }

    [Fact]
    public async Task AReadAfterTheStatementsCarriesThemAndSeesTheirRows()
    {
        var (addresses, _, _) = await RoundTripsAsync(async db =>
        {
            var written = await InsertAsync(db, 3);
            var seen = await db.Set<RecipientMailCount>().CountAsync(c => written.Contains(c.Address)); // an EF Core query: the rows go first
            Assert.Equal(3, seen);
            return written;
        });

        Assert.Equal(3, await StoredAsync(addresses));
    }

    [Fact]
    public async Task ARefusedWriteSendsNothing()
    {
        string[] written = [];
        var (_, count, _) = await RoundTripsAsync(async db =>
        {
            written = await InsertAsync(db, 5);
            throw new InvalidOperationException("Refused by the test after its statements");
        }, expectFailure: true);

        Assert.Equal(0, count);
        Assert.Equal(0, await StoredAsync(written));
    }

    [Fact]
    public async Task QuestionsGoWithTheNextReadAndAreAnsweredInTheirOrder()
    {
        var readAlone = await RoundTripsAsync(async db =>
        {
            var written = await InsertAsync(db, 1);
            Assert.True(await FindAsync(db, written[0]));
            return written;
        });
        var withQuestions = await RoundTripsAsync(async db =>
        {
            var written = await InsertAsync(db, 2);
            var there = await Exists.AskAsync(db, [written[1]], CancellationToken.None); // a row written before it, in the same batch
            var missing = await Exists.AskAsync(db, [NewAddress()], CancellationToken.None);
            Assert.Throws<InvalidOperationException>(() => there.Found); // nothing has gone to the server yet
            Assert.True(await FindAsync(db, written[0]));
            Assert.True(there.Found);
            Assert.False(missing.Found);
            return written;
        });

        Assert.True(readAlone.Count > 0, "Npgsql reported nothing sent");
        Assert.Equal(readAlone.Count, withQuestions.Count);
    }

    [Fact]
    public async Task StatementsAndReadsGoWithPositionalParametersThatNpgsqlNeedNotRewrite()
    {
        var (_, _, statements) = await RoundTripsAsync(async db =>
        {
            var written = await InsertAsync(db, 2);
            Assert.True(await FindAsync(db, written[1]));
            return written;
        });

        var batch = Assert.Single(statements, s => s.Contains("INSERT", StringComparison.Ordinal));
        Assert.Contains("$1", batch, StringComparison.Ordinal);
        Assert.Contains("SELECT", batch, StringComparison.Ordinal); // the read the rows went with
        Assert.DoesNotContain("@", batch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQuestionNoReadTakesIsSentWhenItsAnswerIsAskedFor()
    {
        await RoundTripsAsync(async db =>
        {
            var written = await InsertAsync(db, 1);
            var there = await Exists.AskAsync(db, [written[0]], CancellationToken.None);
            var missing = await Exists.AskAsync(db, [NewAddress()], CancellationToken.None);
            Assert.False(await missing.FoundAsync(db, CancellationToken.None));
            Assert.True(there.Found);
            return written;
        });
    }

    [Fact]
    public async Task CountsIntoOneRowAddUpAndGoWithTheCommitAsOneStatement()
    {
        var tally = fixture.App.Services.GetRequiredService<OrganizationTally>();
        var (organization, hour) = await DbWriterPostgresTests.CountingPlaceAsync(fixture);

        var (_, _, statements) = await RoundTripsAsync(async db =>
        {
            for (var i = 0; i < 5; i++)
            {
                await tally.CountAsync(db, organization, hour, new TallyChange(Added: 1, Verified: i % 2), CancellationToken.None);
            }

            await tally.CountAsync(db, organization, hour.AddHours(1), new TallyChange(Removed: 1), CancellationToken.None); // another row
            return [];
        });

        Assert.Equal(2, statements.Sum(s => s.Split("INSERT INTO \"OrganizationHours\"").Length - 1));
        await using var db = fixture.App.CreateDbContext();
        var rows = await db.OrganizationHours.AsNoTracking()
            .Where(h => h.OrganizationId == organization && h.Hour >= OrganizationTally.HourOf(hour) && h.Hour <= OrganizationTally.HourOf(hour) + 1)
            .OrderBy(h => h.Hour).ToListAsync();
        Assert.Equal([(5L, 2L, 0L), (0L, 0L, 1L)], rows.Select(h => (h.Added, h.Verified, h.Removed)));
    }

    [Fact]
    public async Task WhatATransactionThatRolledBackCountedIsNotCommittedWithTheNextOnTheSameConnection()
    {
        var tally = fixture.App.Services.GetRequiredService<OrganizationTally>();
        var (organization, hour) = await DbWriterPostgresTests.CountingPlaceAsync(fixture);
        await using var db = fixture.App.CreateDbContext();
        await db.Database.OpenConnectionAsync(); // one connection for both: its driver may hand out the same transaction object again

        DbTransaction first;
        await using (var rolledBack = await DbWriter.BeginAsync(db))
        {
            first = rolledBack.GetDbTransaction();
            await tally.CountAsync(db, organization, hour, new TallyChange(Added: 1), CancellationToken.None);
        }

        await using (var committed = await DbWriter.BeginAsync(db))
        {
            Assert.Same(first, committed.GetDbTransaction()); // what the test is about: else it would pass whatever the app did
            await tally.CountAsync(db, organization, hour, new TallyChange(Added: 1), CancellationToken.None);
            await committed.CommitAsync();
        }

        Assert.Equal(1, await db.OrganizationHours.Where(h => h.OrganizationId == organization && h.Hour == OrganizationTally.HourOf(hour)).SumAsync(h => h.Added));
    }

    private static readonly PreparedInsert<OtpEmailAuthenticator> Authenticators = new();

    private static readonly PreparedInsert<User> Users = new();

    private static readonly PreparedStatement CountAgain = new("""
        UPDATE "RecipientMailCounts" SET "Count" = "Count" + 1 WHERE "Address" IN (@p0, @p1)
        """, 2);

    private static int Inserts(string[] statements) => statements.Sum(s => s.Split("INSERT INTO \"RecipientMailCounts\"").Length - 1);

    private OtpEmailAuthenticator ReadyAuthenticator(long userId, string createdBy = "staff-1")
    {
        var ids = fixture.App.Services.GetRequiredService<IdGenerator>();
        return new()
        {
            Id = ids.Next(),
            UserId = userId,
            Address = NewAddress(),
            NormalizedAddress = NewAddress(),
            State = OtpEmailState.Ready,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = createdBy,
        };
    }

    private static readonly PreparedQuery Exists = new(
        (db, arguments) => db.Set<RecipientMailCount>().AsNoTracking().Where(c => c.Address == (string)arguments[0]).Select(c => c.Address).Take(1),
        "\u0001");

    private static async Task<bool> FindAsync(AppDbContext db, string address)
    {
        await using var found = await Exists.ExecuteReaderAsync(db, [address], CancellationToken.None);
        return await found.ReadAsync();
    }

    private static async Task<string[]> InsertAsync(AppDbContext db, int rows)
    {
        var addresses = Enumerable.Range(0, rows).Select(_ => NewAddress()).ToArray();
        foreach (var address in addresses)
        {
            await Insert.ExecuteAsync(db, Row(address), CancellationToken.None);
        }

        return addresses;
    }

    // Runs one write through a writer of its own, counting what Npgsql sends for it (see NpgsqlRoundTrips).
    private async Task<(string[] Addresses, int Count, string[] Statements)> RoundTripsAsync(Func<AppDbContext, Task<string[]>> write, bool expectFailure = false)
    {
        string[] addresses = [];
        using var sent = new NpgsqlRoundTrips("write");
        await using (var writer = DbWriterPostgresTests.NewWriter(fixture.App.Services))
        {
            var result = writer.WriteAsync(Stage<bool>(async db =>
            {
                sent.Reset(); // what opening the context sent is not the write's
                addresses = await write(db);
                return true;
            }), CancellationToken.None);
            if (expectFailure)
            {
                await Assert.ThrowsAsync<InvalidOperationException>(() => result);
            }
            else
            {
                Assert.True((await result).IsSuccess);
            }
        }

        return (addresses, sent.Count, [.. sent.Statements]);
    }

    private async Task<int> StoredAsync(IReadOnlyCollection<string> addresses)
    {
        await using var db = fixture.App.CreateDbContext();
        return await db.Set<RecipientMailCount>().CountAsync(c => addresses.Contains(c.Address));
    }
}
