using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// Finds users by any part of username, given, family or display name or contact email, case
/// insensitively, most relevant first: the exact username, then usernames and emails that start with
/// the text (NOCASE index ranges), then every other match from the FTS5 trigram index
/// <c>UserSearch</c> (kept in step with <c>Users</c> by triggers; see the AddUserSearch migration).
/// Each tier reads only as many rows as the page needs, so a common three-letter fragment among a
/// million users costs a page, not the whole match. Totals are exact up to <see cref="MaxCount"/>.
/// </summary>
public static class UserSearch
{
    public const string IndexTable = "UserSearch";

    /// <summary>Counting stops here: beyond it, "more than this many" is all a person needs to know.</summary>
    public const int MaxCount = 10_000;

    private const int TrigramLength = 3;

    public sealed record Page(long Total, IReadOnlyList<long> Ids);

    /// <param name="organizations">Organizations to search in; null for all.</param>
    public static async Task<Page> FindAsync(AppDbContext db, string? text, IReadOnlyCollection<long>? organizations, long offset, int limit, CancellationToken cancellationToken)
    {
        text = text?.Trim() ?? "";
        var scope = $"u.\"State\" <> {(int)UserState.Deleted}";
        if (organizations is not null)
        {
            // Ids are numbers we parsed ourselves: safe to inline, and SQLite then uses the index.
            scope += organizations.Count == 0 ? " AND 0" : $" AND u.\"OrganizationId\" IN ({string.Join(',', organizations)})";
        }

        var need = checked(offset + limit);
        var parameters = new Dictionary<string, object>
        {
            ["@text"] = text,
            ["@upper"] = text + '\uffff',
            ["@need"] = need,
            ["@cap"] = MaxCount,
            ["@match"] = "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
        };

        // Tiers in order of relevance; each is a query for user ids with no more than @need rows.
        string[] tiers;
        string counted;
        if (text.Length == 0)
        {
            tiers = [$"SELECT u.\"Id\" AS \"Value\" FROM \"Users\" u WHERE {scope} ORDER BY u.\"Username\" LIMIT @need"];
            counted = $"SELECT 1 FROM \"Users\" u WHERE {scope}";
        }
        else
        {
            var startsWith = $"""
                SELECT u."Id" AS "Value" FROM "Users" u WHERE u."Username" = @text AND {scope}
                ||| SELECT u."Id" AS "Value" FROM "Users" u WHERE u."Username" >= @text AND u."Username" < @upper AND {scope} ORDER BY u."Username" LIMIT @need
                ||| SELECT u."Id" AS "Value" FROM "Users" u WHERE u."Email" >= @text AND u."Email" < @upper AND {scope} ORDER BY u."Email" LIMIT @need
                """.Split("|||", StringSplitOptions.TrimEntries);
            var contains = $"SELECT u.\"Id\" AS \"Value\" FROM \"{IndexTable}\" s JOIN \"Users\" u ON u.\"Id\" = s.rowid WHERE \"{IndexTable}\" MATCH @match AND {scope}";
            tiers = text.Length >= TrigramLength ? [.. startsWith, contains + " LIMIT @need"] : startsWith;
            counted = text.Length >= TrigramLength
                ? contains
                : $"SELECT 1 FROM \"Users\" u WHERE ((u.\"Username\" >= @text AND u.\"Username\" < @upper) OR (u.\"Email\" >= @text AND u.\"Email\" < @upper)) AND {scope}";
        }

        // The SQL is built from constants and ids parsed as numbers; the user's text is a parameter.
#pragma warning disable EF1002
        var total = await db.Database
            .SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" FROM ({counted} LIMIT @cap)", Parameters(parameters))
            .SingleAsync(cancellationToken);
        var ids = new List<long>();
        var seen = new HashSet<long>();
        foreach (var tier in tiers)
        {
            if (ids.Count >= need || total == 0)
            {
                break;
            }

            var found = await db.Database.SqlQueryRaw<long>(tier, Parameters(parameters)).ToListAsync(cancellationToken);
            ids.AddRange(found.Where(seen.Add));
        }
#pragma warning restore EF1002

        return new Page(total, ids.Skip((int)Math.Min(offset, int.MaxValue)).Take(limit).ToList());
    }

    // A parameter object belongs to one command.
    private static object[] Parameters(Dictionary<string, object> values) =>
        values.Select(pair => (object)new SqliteParameter(pair.Key, pair.Value)).ToArray();
}
