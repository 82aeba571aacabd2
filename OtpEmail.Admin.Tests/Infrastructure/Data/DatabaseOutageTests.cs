using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// What counts as "the database cannot be reached", and that an outage is logged once when it starts
/// and once when it ends; the crash itself is <see cref="DatabaseOutagePostgresTests"/>.
/// </summary>
[Collection(HandlerCollection.Name)]
public sealed class DatabaseOutageTests : IDisposable
{
    private readonly HandlerFixture _fixture;
    private readonly LogSink _logs = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ILoggerFactory _loggers;

    public DatabaseOutageTests(HandlerFixture fixture)
    {
        _fixture = fixture;
        _loggers = LoggerFactory.Create(logging => logging.AddProvider(_logs));
    }

    public static TheoryData<string, Exception> Outages => new()
    {
        { "refused", Refused() },
        { "stream cut", new NpgsqlException("Exception while reading from stream", new EndOfStreamException()) },
        { "connect timeout", new NpgsqlException("Exception while connecting", new TimeoutException()) },
        { "admin shutdown", Postgres(PostgresErrorCodes.AdminShutdown) },
        { "crash shutdown", Postgres(PostgresErrorCodes.CrashShutdown) },
        { "starting up", Postgres(PostgresErrorCodes.CannotConnectNow) },
        { "connection failure", Postgres(PostgresErrorCodes.ConnectionFailure) },
        { "no slot free", Postgres(PostgresErrorCodes.TooManyConnections) },
        { "in a save", new DbUpdateException("An error occurred while saving the entity changes.", Refused()) },
        { "from a retrying strategy", new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", Refused()) },
        { "SQLite file gone", new SqliteException("unable to open database file", SQLitePCL.raw.SQLITE_CANTOPEN) },
        { "SQLite disk error", new SqliteException("disk I/O error", SQLitePCL.raw.SQLITE_IOERR) },
    };

    public static TheoryData<string, Exception> OtherFailures => new()
    {
        { "unique violation", new DbUpdateException("save", Postgres(PostgresErrorCodes.UniqueViolation)) },
        { "could not serialize", Postgres(PostgresErrorCodes.SerializationFailure) },
        { "bad SQL", Postgres(PostgresErrorCodes.SyntaxError) },
        { "SQLite constraint", new SqliteException("UNIQUE constraint failed", SQLitePCL.raw.SQLITE_CONSTRAINT) },
        { "SQLite busy", new SqliteException("database is locked", SQLitePCL.raw.SQLITE_BUSY) },
        { "a socket that is not the database's", new SocketException((int)SocketError.ConnectionRefused) },
        { "a bug", new InvalidOperationException("Sequence contains no elements") },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public void ADatabaseThatCannotBeReachedIsAnOutageHoweverItIsWrapped(string what, Exception failure) =>
        Assert.True(DatabaseOutage.IsOutage(failure), what);

    [Theory]
    [MemberData(nameof(OtherFailures))]
    public void ADatabaseThatAnswersWithARefusalOrABugIsNoOutage(string what, Exception failure) =>
        Assert.False(DatabaseOutage.IsOutage(failure), what);

    [Fact]
    public void AnOutageIsLoggedOnceWhenItStartsWithItsReasonAndOnceWhenItEndsWithItsLength()
    {
        var outage = new DatabaseOutage(_clock, _loggers.CreateLogger<DatabaseOutage>());
        outage.Recovered(); // nothing to end

        for (var i = 0; i < 100; i++)
        {
            Assert.True(outage.TryReport(Refused()));
        }

        Assert.False(outage.TryReport(new InvalidOperationException("a bug")));
        Assert.True(outage.IsDown);
        Assert.Equal(_clock.GetUtcNow(), outage.Since);
        _clock.Advance(TimeSpan.FromSeconds(2.5));
        outage.Recovered();
        outage.Recovered();

        var lines = _logs.Lines.ToList();
        Assert.Equal(2, lines.Count);
        Assert.StartsWith("Warning ", lines[0], StringComparison.Ordinal);
        Assert.Contains("Database unreachable: Failed to connect to 127.0.0.1:5432: Connection refused", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Information ", lines[1], StringComparison.Ordinal);
        Assert.Contains("Database reachable again after 00:00:02.5000000; 100 failures", lines[1], StringComparison.Ordinal);
        Assert.False(outage.IsDown);
        Assert.Null(outage.Since);
    }

    [Fact]
    public async Task AWriteThatCannotReachTheDatabaseFailsAtOnceInsteadOfRetryingAsAConflict()
    {
        var outage = new DatabaseOutage(_clock, _loggers.CreateLogger<DatabaseOutage>());
        await using var writer = new DbWriter(_fixture.Get<IDbContextFactory<AppDbContext>>(), outage, _loggers.CreateLogger<DbWriter>());
        var runs = 0;

        var failed = await Assert.ThrowsAsync<DbUpdateException>(() => writer.WriteAsync<string>((_, _) =>
        {
            runs++;
            throw new DbUpdateException("An error occurred while saving the entity changes.", Refused());
        }, CancellationToken.None));

        Assert.True(DatabaseOutage.IsOutage(failed));
        Assert.Equal(1, runs); // never the five attempts (and then "try again" as a conflict) of a write others got in the way of
    }

    [Fact]
    public async Task TheFirstCommitAfterAnOutageEndsIt()
    {
        var outage = new DatabaseOutage(_clock, _loggers.CreateLogger<DatabaseOutage>());
        await using var writer = new DbWriter(_fixture.Get<IDbContextFactory<AppDbContext>>(), outage, _loggers.CreateLogger<DbWriter>());
        outage.Report(Refused());

        var address = $"outage-{Guid.NewGuid():N}@example.com";
        var written = await writer.WriteAsync<string>((db, _) =>
        {
            db.Add(new RecipientMailCount { Address = address, WindowStart = DateTimeOffset.UtcNow, Count = 1 });
            return Task.FromResult<Staged<string>>(address);
        }, CancellationToken.None);

        Assert.Equal(address, written.Value);
        await Eventually.TrueAsync(() => !outage.IsDown, "the outage to end"); // the writer notes it once the write is answered
    }

    public void Dispose() => _loggers.Dispose();

    private static NpgsqlException Refused() =>
        new("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

    private static PostgresException Postgres(string sqlState) => new("message", "FATAL", "FATAL", sqlState);
}
