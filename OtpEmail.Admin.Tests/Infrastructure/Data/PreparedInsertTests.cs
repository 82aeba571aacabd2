using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Data;

/// <summary>The writer's hot path stores rows itself: they must be stored exactly as EF Core would store them.</summary>
[Collection(HandlerCollection.Name)]
public sealed class PreparedInsertTests(HandlerFixture fixture)
{
    private static readonly PreparedInsert<OtpEmailAuthenticator> Insert = new();

    [Fact]
    public async Task ARowInsertedByItIsStoredCellForCellAsSaveChangesStoresIt()
    {
        var userId = long.Parse(await fixture.CreateUserAsync());
        var ids = fixture.Get<IdGenerator>();
        var at = new DateTimeOffset(2026, 11, 26, 12, 34, 56, 789, TimeSpan.FromHours(2));
        OtpEmailAuthenticator Sample(string address) => new()
        {
            Id = ids.Next(),
            UserId = userId,
            Address = address,
            NormalizedAddress = address.ToLowerInvariant(),
            State = OtpEmailState.Pending,
            CodeHash = [1, 2, 3, 250],
            CodeExpiresAt = at.AddMinutes(10),
            FailedAttempts = 2,
            CodeWindowStart = at,
            CodesInWindow = 3,
            CreatedAt = at,
            CreatedBy = "staff-1",
            VerifiedAt = null,
        };
        var saved = Sample(ApiClient.NewAddress());
        var inserted = Sample(ApiClient.NewAddress());

        await using (var db = fixture.Db())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.OtpEmails.Add(saved);
            await db.SaveChangesAsync();
            await Insert.ExecuteAsync(db, inserted, CancellationToken.None);
            await transaction.CommitAsync();
        }

        await using (var db = fixture.Db())
        {
            var cells = await CellsAsync(db, saved.Id, inserted.Id);
            foreach (var column in cells[saved.Id].Keys.Except(["Id", "Address", "NormalizedAddress"]))
            {
                Assert.Equal(cells[saved.Id][column], cells[inserted.Id][column]);
            }

            var read = await db.OtpEmails.AsNoTracking().SingleAsync(a => a.Id == inserted.Id);
            Assert.Equivalent(inserted, read, strict: true);
        }
    }

    [Fact]
    public async Task ATakenUniqueValueFailsTheInsertAndStoresNothing()
    {
        var userId = long.Parse(await fixture.CreateUserAsync());
        var address = ApiClient.NewAddress();
        OtpEmailAuthenticator Live() => new()
        {
            Id = fixture.Get<IdGenerator>().Next(),
            UserId = userId,
            Address = address,
            NormalizedAddress = address,
            State = OtpEmailState.Ready,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = "staff-1",
        };

        await using var db = fixture.Db();
        await Insert.ExecuteAsync(db, Live(), CancellationToken.None);
        await Assert.ThrowsAnyAsync<DbException>(() => Insert.ExecuteAsync(db, Live(), CancellationToken.None));

        Assert.Equal(1, await db.OtpEmails.CountAsync(a => a.UserId == userId));
    }

    // Every stored cell of the rows, as the database hands them out.
    private static async Task<Dictionary<long, Dictionary<string, object>>> CellsAsync(AppDbContext db, params long[] ids)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"OtpEmails\" WHERE \"Id\" IN ({string.Join(", ", ids)})";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<long, Dictionary<string, object>>();
        while (await reader.ReadAsync())
        {
            var row = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue);
            rows[(long)row["Id"]] = row;
        }

        return rows;
    }
}
