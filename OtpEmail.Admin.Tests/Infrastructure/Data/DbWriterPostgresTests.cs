using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;
using static OtpEmail.Admin.Tests.Infrastructure.Data.DbWriterTests;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>
/// The writer on PostgreSQL, where another instance can change a row between a stage's read and its
/// save: here the test does, from a connection of its own, while the stage runs.
/// </summary>
[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class DbWriterPostgresTests(PostgresApiFixture fixture) : IAsyncLifetime
{
    private static readonly PreparedInsert<RecipientMailCount> Insert = new();

    private readonly DbWriter _writer = NewWriter(fixture.App.Services);

    /// <summary>A writer of the test's own on the app's database, beside the app's.</summary>
    internal static DbWriter NewWriter(IServiceProvider services) =>
        new(services.GetRequiredService<IDbContextFactory<AppDbContext>>(), services.GetRequiredService<DatabaseOutage>(), NullLogger<DbWriter>.Instance);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _writer.DisposeAsync();

    [Fact]
    public async Task AStageWhoseRowAnotherInstanceChangedMeanwhileRunsAgainOnWhatIsNowStored()
    {
        var address = NewAddress();
        await OtherInstanceAsync(db => db.Set<RecipientMailCount>().Add(Row(address)));
        var runs = 0;

        var counted = await _writer.WriteAsync(Stage(async db =>
        {
            runs++;
            var row = await db.Set<RecipientMailCount>().SingleAsync(c => c.Address == address);
            if (runs == 1)
            {
                await OtherInstanceAsync(other => other.Set<RecipientMailCount>().Single(c => c.Address == address).Count++);
            }

            row.Count++;
            return (Staged<int>)row.Count;
        }), CancellationToken.None);

        Assert.Equal(3, counted.Value);
        Assert.Equal(2, runs);
        Assert.Equal(3, await StoredCountAsync(address));
    }

    [Fact]
    public async Task AStageWhoseUniqueValueAnotherInstanceTookMeanwhileRunsAgainAndSeesItTaken()
    {
        var address = NewAddress();
        var taken = AppError.Exists("TEST-TAKEN", "Taken");
        var runs = 0;

        var inserted = await _writer.WriteAsync(Stage<string>(async db =>
        {
            runs++;
            if (await db.Set<RecipientMailCount>().AnyAsync(c => c.Address == address))
            {
                return taken;
            }

            if (runs == 1)
            {
                await OtherInstanceAsync(other => other.Set<RecipientMailCount>().Add(Row(address)));
            }

            await Insert.ExecuteAsync(db, Row(address, 5), CancellationToken.None);
            return address;
        }), CancellationToken.None);

        Assert.Equal(taken, inserted.Error);
        Assert.Equal(2, runs);
        Assert.Equal(1, await StoredCountAsync(address));
    }

    // A change committed by itself, on a connection of its own, as another instance would.
    private async Task OtherInstanceAsync(Action<AppDbContext> change)
    {
        await using var db = fixture.App.CreateDbContext();
        change(db);
        await db.SaveChangesAsync();
    }

    private async Task<int?> StoredCountAsync(string address)
    {
        await using var db = fixture.App.CreateDbContext();
        return await db.Set<RecipientMailCount>().Where(c => c.Address == address).Select(c => (int?)c.Count).SingleOrDefaultAsync();
    }
}
