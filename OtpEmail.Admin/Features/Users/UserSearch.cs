using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

/// <summary>
/// Finds users by any part of username, given, family or display name or contact email, case
/// insensitively. Three characters or more use the FTS5 trigram index <c>UserSearch</c> (kept in
/// step with <c>Users</c> by triggers; see the AddUserSearch migration); shorter text matches the
/// start of username or email through their NOCASE indexes. Most relevant first.
/// </summary>
public static class UserSearch
{
    public const string IndexTable = "UserSearch";
    private const int TrigramLength = 3;

    public sealed record Page(long Total, IReadOnlyList<long> Ids);

    /// <param name="organizations">Organizations to search in; null for all.</param>
    public static async Task<Page> FindAsync(AppDbContext db, string? text, IReadOnlyCollection<long>? organizations, long offset, int limit, CancellationToken cancellationToken)
    {
        text = text?.Trim() ?? "";
        var parameters = new List<SqliteParameter>
        {
            new("@text", text),
            new("@limit", limit),
            new("@offset", offset),
        };
        var scope = "u.\"State\" <> 3";
        if (organizations is not null)
        {
            // Ids are numbers we parsed ourselves: safe to inline, and SQLite then uses the index.
            scope += organizations.Count == 0
                ? " AND 0"
                : $" AND u.\"OrganizationId\" IN ({string.Join(',', organizations)})";
        }

        string from;
        string order;
        if (text.Length >= TrigramLength)
        {
            parameters.Add(new("@match", "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
            from = $"FROM \"{IndexTable}\" s JOIN \"Users\" u ON u.\"Id\" = s.rowid WHERE \"{IndexTable}\" MATCH @match AND {scope}";
            order = "ORDER BY (u.\"Username\" = @text) DESC, s.rank, u.\"Id\"";
        }
        else if (text.Length > 0)
        {
            parameters.Add(new("@prefix", EscapeLike(text) + "%"));
            from = $"FROM \"Users\" u WHERE (u.\"Username\" LIKE @prefix ESCAPE '\\' OR u.\"Email\" LIKE @prefix ESCAPE '\\') AND {scope}";
            order = "ORDER BY (u.\"Username\" = @text) DESC, u.\"Username\"";
        }
        else
        {
            from = $"FROM \"Users\" u WHERE {scope}";
            order = "ORDER BY u.\"Username\"";
        }

        // The SQL is built from constants and ids parsed as numbers; the user's text is a parameter.
#pragma warning disable EF1002
        var total = await db.Database
            .SqlQueryRaw<long>($"SELECT count(*) AS \"Value\" {from}", Clone(parameters))
            .SingleAsync(cancellationToken);
        var ids = total == 0
            ? []
            : await db.Database
                .SqlQueryRaw<long>($"SELECT u.\"Id\" AS \"Value\" {from} {order} LIMIT @limit OFFSET @offset", Clone(parameters))
                .ToListAsync(cancellationToken);
#pragma warning restore EF1002
        return new Page(total, ids);
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);

    // A parameter object belongs to one command.
    private static object[] Clone(List<SqliteParameter> parameters) =>
        parameters.Select(p => (object)new SqliteParameter(p.ParameterName, p.Value)).ToArray();
}
