using System.Text;

namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// SQL with named parameters (<c>@p0</c>, as EF Core and our statements write it) rewritten once to
/// PostgreSQL's own positional ones (<c>$1</c>). Npgsql sends a command whose parameters have no
/// names as it is; with names it parses the text and rewrites it at every execution, which a profile
/// of adds on PostgreSQL put at ~5% of the app's CPU. The rewrite skips string literals, quoted
/// names and comments, and refuses a parameter it was not told of or one the statement does not use
/// (sent by position, PostgreSQL could not type it), so a mistake shows when the statement is first
/// made, not as a wrong value.
/// </summary>
internal static class PositionalSql
{
    /// <summary>
    /// <paramref name="sql"/> with each <c>@name</c> of <paramref name="names"/> (with or without its
    /// <c>@</c>) replaced by <c>$n</c>, n its place in <paramref name="names"/> from 1.
    /// </summary>
    public static string From(string sql, IReadOnlyList<string> names)
    {
        var positions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            positions.TryAdd(names[i].TrimStart('@', ':'), i + 1);
        }

        var used = new bool[names.Count + 1];
        var rewritten = new StringBuilder(sql.Length);
        var at = 0;
        while (at < sql.Length)
        {
            var c = sql[at];
            var end = c switch
            {
                '\'' => Closing(sql, at, '\''),
                '"' => Closing(sql, at, '"'),
                '-' when At(sql, at + 1, '-') => LineEnd(sql, at),
                '/' when At(sql, at + 1, '*') => CommentEnd(sql, at),
                _ => -1,
            };
            if (end >= 0)
            {
                rewritten.Append(sql, at, end - at);
                at = end;
                continue;
            }

            if (c == '@' && at + 1 < sql.Length && IsNameChar(sql[at + 1]))
            {
                var nameEnd = at + 1;
                while (nameEnd < sql.Length && IsNameChar(sql[nameEnd]))
                {
                    nameEnd++;
                }

                var name = sql[(at + 1)..nameEnd];
                if (!positions.TryGetValue(name, out var position))
                {
                    throw new InvalidOperationException($"The statement names a parameter @{name} it was not given: {sql}");
                }

                used[position] = true;
                rewritten.Append('$').Append(position);
                at = nameEnd;
                continue;
            }

            rewritten.Append(c);
            at++;
        }

        if (Array.IndexOf(used, false, 1) is var unused and > 0)
        {
            throw new InvalidOperationException($"The statement does not use its parameter {names[unused - 1]}: {sql}");
        }

        return rewritten.ToString();
    }

    private static bool At(string sql, int index, char c) => index < sql.Length && sql[index] == c;

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    // Past the quote that closes the one at start; a doubled quote is one character of the literal or name.
    private static int Closing(string sql, int start, char quote)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                if (!At(sql, i + 1, quote))
                {
                    return i + 1;
                }

                i++;
            }

            i++;
        }

        return sql.Length;
    }

    private static int LineEnd(string sql, int start)
    {
        var end = sql.IndexOf('\n', start);
        return end < 0 ? sql.Length : end;
    }

    private static int CommentEnd(string sql, int start)
    {
        var end = sql.IndexOf("*/", start + 2, StringComparison.Ordinal);
        return end < 0 ? sql.Length : end + 2;
    }
}
