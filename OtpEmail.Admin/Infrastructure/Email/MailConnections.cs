namespace OtpEmail.Admin.Infrastructure.Email;

/// <summary>A dispatcher's connections to the relay (<see cref="MailSettings.Connections"/>), each opened on first use.</summary>
internal sealed class MailConnections(IMailTransport transport, int count) : List<MailConnection>(Enumerable.Range(0, count).Select(_ => new MailConnection(transport))), IAsyncDisposable
{
    public async Task CloseAsync()
    {
        List<Exception> failed = [];
        foreach (var connection in this)
        {
            try
            {
                await connection.CloseAsync();
            }
            catch (Exception e)
            {
                failed.Add(e); // the others are closed all the same
            }
        }

        if (failed.Count > 0)
        {
            throw new AggregateException("Closing SMTP connections failed", failed);
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync();
}

/// <summary>The transport's session, opened on first use and kept until closed.</summary>
internal sealed class MailConnection(IMailTransport transport) : IAsyncDisposable
{
    private IMailSession? _session;

    public async Task<IMailSession> OpenAsync(CancellationToken cancellationToken) =>
        _session ??= await transport.OpenAsync(cancellationToken);

    public async Task CloseAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync();
}
