using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// Finds users by any part of username, names or contact email, case-insensitively, most relevant
/// first (exact username, then "starts with", then any trigram match), each tier reading only the rows
/// a page needs; totals exact up to <see cref="MaxCount"/>. The indexes (FTS5 on SQLite, pg_trgm on
/// PostgreSQL) are made by the Initial migrations; the design is in docs/design.md.
/// </summary>
public static class UserSearch
{
    public const string IndexTable = "UserSearch";

    /// <summary>Counting stops here: beyond it, "more than this many" is all a person needs to know.</summary>
    public const int MaxCount = 10_000;

    private const int TrigramLength = 3;

    public sealed record Page(long Total, IReadOnlyList<long> Ids);

    /// <summary>
    /// On PostgreSQL, a column the database computes and stores for each user (made by the Initial
    /// migration): username, names and email lower-cased, so that matching a row is a plain LIKE.
    /// </summary>
    public const string PostgresTextColumn = "SearchText";

    /// <summary>The lower-cased <paramref name="column"/> in byte order, as the Initial migration indexes it.</summary>
    public static string PostgresKey(string table, string column) => $"lower({table}\"{column}\") COLLATE \"C\"";

    /// <param name="organizations">Organizations to search in; null for all.</param>
    public static async Task<Page> FindAsync(AppDbContext db, string? text, IReadOnlyCollection<long>? organizations, long offset, int limit, CancellationToken cancellationToken)
    {
        text = text?.Trim() ?? "";
        var postgres = db is PostgresDbContext;
        var scope = $"u.\"State\" <> {(int)UserState.Deleted}";
        if (organizations is not null)
        {
            // Ids are numbers we parsed ourselves: safe to inline, and the database then uses the index.
            scope += organizations.Count == 0 ? " AND 1 = 0" : $" AND u.\"OrganizationId\" IN ({string.Join(',', organizations)})";
        }

        // A range over the case-insensitive order finds "starts with" in an index; [@from, @to) is that range.
        string Key(string column) => postgres ? PostgresKey("u.", column) : $"u.\"{column}\"";
        var from = postgres ? text.ToLowerInvariant() : text;
        var need = checked(offset + limit);
        var parameters = new Dictionary<string, object>
        {
            ["@text"] = text,
            ["@from"] = from,
            ["@to"] = from + '\uffff',
            ["@need"] = need,
            ["@cap"] = MaxCount,
            ["@match"] = postgres
                ? "%" + from.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%"
                : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
        };

        // Tiers in order of relevance; each is a query for user ids with no more than @need rows.
        string[] tiers;
        string counted;
        if (text.Length == 0)
        {
            tiers = [$"SELECT u.\"Id\" AS \"Value\" FROM \"Users\" u WHERE {scope} ORDER BY {Key("Username")} LIMIT @need"];
            counted = $"SELECT 1 FROM \"Users\" u WHERE {scope}";
        }
        else
        {
            string StartsWith(string column) => $"{Key(column)} >= @from AND {Key(column)} < @to";
            var startsWith = $"""
                SELECT u."Id" AS "Value" FROM "Users" u WHERE u."Username" = @text AND {scope}
                ||| SELECT u."Id" AS "Value" FROM "Users" u WHERE {StartsWith("Username")} AND {scope} ORDER BY {Key("Username")} LIMIT @need
                ||| SELECT u."Id" AS "Value" FROM "Users" u WHERE {StartsWith("Email")} AND {scope} ORDER BY {Key("Email")} LIMIT @need
                """.Split("|||", StringSplitOptions.TrimEntries);
            var contains = postgres
                ? $"SELECT u.\"Id\" AS \"Value\" FROM \"Users\" u WHERE u.\"{PostgresTextColumn}\" LIKE @match AND {scope}"
                : $"SELECT u.\"Id\" AS \"Value\" FROM \"{IndexTable}\" s JOIN \"Users\" u ON u.\"Id\" = s.rowid WHERE \"{IndexTable}\" MATCH @match AND {scope}";
            tiers = text.Length >= TrigramLength ? [.. startsWith, contains + " LIMIT @need"] : startsWith;
            counted = text.Length >= TrigramLength
                ? contains
                : $"SELECT 1 FROM \"Users\" u WHERE (({StartsWith("Username")}) OR ({StartsWith("Email")})) AND {scope}";
        }

        // On PostgreSQL each search is planned for its own text: a plan kept for any text (the generic plan
        // PostgreSQL may keep for a prepared statement) cannot know how many rows a pattern matches, and
        // scanned every user (measured: 37 ms of database CPU a search at 100,000 users).
        await using var customPlans = postgres && db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        if (customPlans is not null)
        {
            await db.Database.ExecuteSqlRawAsync("SET LOCAL plan_cache_mode = force_custom_plan", cancellationToken);
        }

        // The SQL is built from constants and ids parsed as numbers; the user's text is a parameter.
#pragma warning disable EF1002
        var total = await db.Database
            .SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" FROM ({counted} LIMIT @cap) AS matches", Parameters(parameters, postgres))
            .SingleAsync(cancellationToken);
        var ids = new List<long>();
        var seen = new HashSet<long>();
        foreach (var tier in tiers)
        {
            if (ids.Count >= need || total == 0)
            {
                break;
            }

            var found = await db.Database.SqlQueryRaw<long>(tier, Parameters(parameters, postgres)).ToListAsync(cancellationToken);
            ids.AddRange(found.Where(seen.Add));
        }
#pragma warning restore EF1002

        return new Page(total, ids.Skip((int)Math.Min(offset, int.MaxValue)).Take(limit).ToList());
    }

    // A parameter object belongs to one command.
    private static object[] Parameters(Dictionary<string, object> values, bool postgres) =>
        values.Select(pair => postgres ? (object)new NpgsqlParameter(pair.Key, pair.Value) : new SqliteParameter(pair.Key, pair.Value)).ToArray();
}
