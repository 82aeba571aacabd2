using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Bulk;

public sealed record BulkProblem(int Row, string User, string Address, AppError Error);

/// <summary>What a file would do, before anything changes: how many rows can be added, and every problem.</summary>
public sealed record BulkPreview(string FileName, IReadOnlyList<BulkRow> Rows, IReadOnlyList<BulkProblem> Problems)
{
    public int Total => Rows.Count;

    public int Ready => Rows.Count - Problems.Count;
}

/// <summary>Checks a whole file as the adds would, reading only: users, rows, duplicates in the file and in the database.</summary>
public sealed class BulkPreviewHandler(IDbContextFactory<AppDbContext> dbs, AddOtpEmailHandler add)
{
    private const int Chunk = 500;

    public static AppError DuplicateInFile(int first) =>
        AppError.Exists("BULK-DUPLICATE", $"The same user and address are already in row {first} of the file", OtpEmailErrors.AddressField);

    public async Task<Result<BulkPreview>> HandleAsync(Caller caller, string fileName, Stream file, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var read = await BulkRequests.ReadAsync(db, caller, file, cancellationToken);
        if (!read.IsSuccess)
        {
            return read.Error;
        }

        var rows = read.Value;
        var existing = await ExistingAsync(db, rows.Select(r => r.UserId).OfType<long>().Distinct(), cancellationToken);
        var firstRow = new Dictionary<(long, string), int>();
        var problems = new List<BulkProblem>();
        foreach (var row in rows)
        {
            var problem = row.Problem ?? Check(caller, row, existing, firstRow);
            if (problem is not null)
            {
                problems.Add(new BulkProblem(row.Row.Row, row.Row.User, row.Row.Address, problem));
            }
        }

        return new BulkPreview(fileName, rows.ConvertAll(row => row.Row), problems);
    }

    private AppError? Check(Caller caller, BulkCheckedRow row, HashSet<(long, string)> existing, Dictionary<(long, string), int> firstRow)
    {
        var request = BulkRequests.Request(row.Row);
        if (!request.IsSuccess)
        {
            return request.Error;
        }

        var prepared = add.Prepare(caller, DecimalId.Format(row.UserId!.Value), request.Value);
        if (!prepared.IsSuccess)
        {
            return prepared.Error;
        }

        var key = (row.UserId.Value, EmailAddress.Normalize(row.Row.Address));
        if (existing.Contains(key))
        {
            return OtpEmailErrors.AlreadyRegistered;
        }

        return firstRow.TryAdd(key, row.Row.Row) ? null : DuplicateInFile(firstRow[key]);
    }

    private static async Task<HashSet<(long, string)>> ExistingAsync(AppDbContext db, IEnumerable<long> userIds, CancellationToken cancellationToken)
    {
        var existing = new HashSet<(long, string)>();
        foreach (var chunk in userIds.Chunk(Chunk))
        {
            var live = await db.OtpEmails.AsNoTracking()
                .Where(a => chunk.Contains(a.UserId) && a.State != OtpEmailState.Removed)
                .Select(a => new { a.UserId, a.NormalizedAddress })
                .ToListAsync(cancellationToken);
            existing.UnionWith(live.Select(a => (a.UserId, a.NormalizedAddress)));
        }

        return existing;
    }
}
