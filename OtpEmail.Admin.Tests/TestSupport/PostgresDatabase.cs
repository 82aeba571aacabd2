using Npgsql;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// A fresh, empty database on the throwaway PostgreSQL that the test command starts
/// (<c>.ci/test</c> sets <see cref="Variable"/>), dropped again at the end.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string Variable = "OTPEMAIL_TEST_POSTGRES";

    /// <summary>The code-hash key every instance of a test shares (PostgreSQL requires it set).</summary>
    public const string CodeHashKey = "dGVzdC1jb2RlLWhhc2gta2V5LXNoYXJlZC1ieS1pbnN0YW5jZXM=";

    private readonly string _server;
    private readonly string _name;

    private PostgresDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    /// <summary>The app's settings for this database.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["Database:Provider"] = "Postgres",
        ["ConnectionStrings:Default"] = ConnectionString,
        ["Otp:CodeHashKey"] = CodeHashKey,
    };

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                $"These tests (Category=Postgres) need PostgreSQL: run them with .ci/test (which starts a throwaway one), set {Variable} to a connection string of a server where databases may be made, or leave them out with --filter \"Category!=Postgres\".");
        }

        var database = new PostgresDatabase(server, "otpemail_test_" + Guid.NewGuid().ToString("N")[..16]);
        await database.ExecuteOnServerAsync($"CREATE DATABASE \"{database._name}\"");
        return database;
    }

    /// <summary>The first value <paramref name="sql"/> reads from this database.</summary>
    public async Task<T> ScalarAsync<T>(string sql) =>
        (T)Convert.ChangeType((await RunAsync(ConnectionString, sql, command => command.ExecuteScalarAsync()))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
    }

    private Task ExecuteOnServerAsync(string sql) => RunAsync(_server, sql, command => command.ExecuteNonQueryAsync());

    private static async Task<TResult> RunAsync<TResult>(string connectionString, string sql, Func<NpgsqlCommand, Task<TResult>> run)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await run(command);
    }
}
