using System.Collections.Concurrent;
using System.Diagnostics;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// Counts what Npgsql sends (one activity for each command or batch) under an activity of the test's
/// own, started here: a writer made while it is current runs on it, so what the writer sends is
/// counted, and nothing else the app does is.
/// </summary>
public sealed class NpgsqlRoundTrips : IDisposable
{
    private const string SourceName = "OtpEmail.Admin.Tests.RoundTrips";
    private static readonly ActivitySource Source = new(SourceName);
    private readonly ConcurrentQueue<string> _sent = []; // the SQL of each, as Npgsql reports it
    private readonly ActivityListener _listener;
    private readonly Activity _scope;

    public NpgsqlRoundTrips(string name)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" or SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
        _scope = Source.StartActivity(name) ?? throw new InvalidOperationException("The test's activity was not sampled.");
        var trace = _scope.TraceId;
        _listener.ActivityStopped = activity =>
        {
            if (activity.TraceId == trace && activity.Source.Name == "Npgsql")
            {
                _sent.Enqueue(activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName);
            }
        };
    }

    /// <summary>How many were sent since the start, or since <see cref="Reset"/>.</summary>
    public int Count => _sent.Count;

    /// <summary>The SQL of what was sent, in order.</summary>
    public IReadOnlyCollection<string> Statements => _sent;

    /// <summary>Forgets what was sent so far (e.g. what opening a context sent).</summary>
    public void Reset() => _sent.Clear();

    public void Dispose()
    {
        _scope.Dispose();
        _listener.Dispose();
    }
}
