namespace OtpEmail.Admin.Infrastructure.Data;

/// <summary>
/// Lets one writer at a time into the database from this process. SQLite allows a single writer;
/// queueing here keeps requests off its busy handler, which would otherwise sleep on contention.
/// </summary>
public sealed class WriteGate : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Releaser(_gate);
    }

    public void Dispose() => _gate.Dispose();

    public readonly struct Releaser(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
