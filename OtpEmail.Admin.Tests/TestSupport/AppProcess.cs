using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// The app as its own operating-system process (<c>dotnet OtpEmail.Admin.dll</c>, the build next to
/// the tests), in Development, configured by environment variables as an operator would: for tests
/// where two instances must share nothing but the database.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(string name, int port, IReadOnlyDictionary<string, string?> settings)
    {
        Name = name;
        BaseAddress = new Uri($"http://localhost:{port}");
        DataDirectory = TestFolder.Create();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "OtpEmail.Admin.dll")])
        {
            WorkingDirectory = DataDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["App__PublicBaseUrl"] = BaseAddress.AbsoluteUri.TrimEnd('/');
        start.Environment["App__KeysDirectory"] = Path.Combine(DataDirectory, "keys");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public string DataDirectory { get; }

    /// <summary>What the process printed so far (warnings and errors), for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the app and returns once it answers ready.</summary>
    public static async Task<AppProcess> StartAsync(string name, IReadOnlyDictionary<string, string?> settings)
    {
        var app = new AppProcess(name, AppFactory.FreeLoopbackPort(), settings);
        app._process.Start();
        app._process.BeginOutputReadLine();
        app._process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        await Eventually.TrueAsync(async () =>
        {
            if (app._process.HasExited)
            {
                throw new InvalidOperationException($"Instance {name} exited with {app._process.ExitCode}:\n{app.Output}");
            }

            try
            {
                using var ready = await http.GetAsync("/health/ready");
                return ready.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, $"instance {name} to be ready", TimeSpan.FromSeconds(60));
        return app;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        TestFolder.Delete(DataDirectory);
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(CultureInfo.InvariantCulture, $"[{Name}] {line}");
            }
        }
    }
}
