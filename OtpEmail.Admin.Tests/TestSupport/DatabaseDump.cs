using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Tests.TestSupport;

public static class DatabaseDump
{
    /// <summary>Every text and blob cell of every table, so a test can look for a secret anywhere.</summary>
    public static async Task<string> AllCellsAsync(AppDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'UserSearch_%' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var dump = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? System.Text.Encoding.Latin1.GetString(bytes) : value?.ToString()).Append('|');
                }

                dump.AppendLine();
            }
        }

        return dump.ToString();
    }
}
