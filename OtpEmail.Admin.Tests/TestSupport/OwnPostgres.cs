using System.Diagnostics;
using Npgsql;
using OtpEmail.Admin.Tests.Architecture;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// A PostgreSQL cluster of the test's own (<c>.ci/throwaway-postgres</c>, in a temporary folder on a free
/// port), which the test may crash and start again; stopped and deleted at the end.
/// </summary>
public sealed class OwnPostgres : IAsyncDisposable
{
    private readonly string _directory;

    private OwnPostgres(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    public static async Task<OwnPostgres> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "otpemail-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var port = int.Parse((await RunAsync("start", directory)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        return new OwnPostgres(directory, port);
    }

    /// <summary>Stops the server at once, as a crash does: every connection is cut, nothing is checkpointed.</summary>
    public Task CrashAsync() => RunAsync("crash", _directory);

    /// <summary>Starts it again on its port; returns once it accepts connections (after recovering from the crash).</summary>
    public Task ResumeAsync() => RunAsync("resume", _directory);

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync("stop", _directory);
    }

    private static async Task<string> RunAsync(string command, string directory)
    {
        var script = Path.Combine(ShapeTests.RepositoryRoot(), ".ci", "throwaway-postgres");
        using var process = Process.Start(new ProcessStartInfo("bash", [script, command, directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($".ci/throwaway-postgres {command} failed ({process.ExitCode}): {await errors}");
    }
}
