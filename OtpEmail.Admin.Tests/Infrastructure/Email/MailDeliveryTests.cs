using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using OtpEmail.Admin.Features.MailTexts;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Email;

public sealed class MailDeliveryTests
{
    [Fact]
    public async Task MailAcceptedWhileSmtpIsDownIsDeliveredOnceWhenItComesBack()
    {
        await using var smtp = new SmtpSink();
        await smtp.StartAsync();
        var port = smtp.Port;
        await smtp.StopAsync();
        await using var app = new AppFactory(port);
        var api = new ApiClient(app.StartClient());
        var userId = await api.CreateUserAsync();
        var address = ApiClient.NewAddress();

        var reply = await api.AddOtpEmailAsync(userId, Json.SendCode(address));

        Assert.Equal(200, reply.Status);
        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Attempts >= 2 && m.LastError != null), "two failed delivery attempts");
        await smtp.StartAsync(port);
        await smtp.WaitForMailToAsync(address);
        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Status == OutboxMailStatus.Sent && m.ProtectedBody == null), "the mail to be recorded as sent");
        await Dispatcher(app).DispatchDueAsync(CancellationToken.None); // one more round sends nothing again
        Assert.Single(smtp.To(address));
    }

    [Fact]
    public async Task MailGoesOutOverStartTlsAfterLoggingInAsTheConfiguredUser()
    {
        await using var smtp = new SmtpSink(new SmtpSinkLogin("otp-relay", "relay-secret"));
        await smtp.StartAsync();
        await using var app = new AppFactory(smtp.Port, smtp.SecureAppSettings());

        var (_, address) = await new ApiClient(app.StartClient()).AddSendingCodeAsync();

        await smtp.WaitForMailToAsync(address);
        var delivery = Assert.Single(smtp.Deliveries, d => d.Message.To.Mailboxes.Single().Address == address);
        Assert.True(delivery.OverTls, "the mail came in the clear");
        Assert.Equal("otp-relay", delivery.User);
        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Status == OutboxMailStatus.Sent), "the mail to be recorded as sent");
    }

    [Theory]
    [InlineData("wrong-secret", true, "AuthenticationException")] // the relay refuses the login
    [InlineData(null, false, "SslHandshakeException")] // a self-signed certificate nobody pinned is not trusted
    public async Task MailTheRelayWillNotTakeYetStaysQueuedAndIsTriedAgain(string? password, bool pinned, string error)
    {
        await using var smtp = new SmtpSink(new SmtpSinkLogin("otp-relay", "relay-secret"));
        await smtp.StartAsync();
        var settings = smtp.SecureAppSettings(password);
        if (!pinned)
        {
            settings["Mail:Smtp:CertificateThumbprint"] = null;
        }

        await using var app = new AppFactory(smtp.Port, settings);

        var (_, address) = await new ApiClient(app.StartClient()).AddSendingCodeAsync();

        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Attempts >= 2), "two delivery attempts");
        Assert.True(await OutboxAsync(app, address, m =>
            m.Status == OutboxMailStatus.Pending && m.ProtectedBody != null && m.LastError!.Contains(error, StringComparison.Ordinal)));
        Assert.Empty(smtp.Received);
    }

    [Fact]
    public async Task MailThatCannotGoOutBeforeTheCodeExpiresIsGivenUpAndCleared()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var smtp = new SmtpSink();
        await smtp.StartAsync();
        var port = smtp.Port;
        await smtp.StopAsync();
        await using var app = new AppFactory(port, services: services => services.AddSingleton<TimeProvider>(clock));
        var api = new ApiClient(app.StartClient());
        var userId = await api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        Assert.Equal(200, (await api.AddOtpEmailAsync(userId, new { address })).Status);
        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Attempts >= 1), "a failed delivery attempt");

        clock.Advance(TimeSpan.FromMinutes(11));
        await Dispatcher(app).DispatchDueAsync(CancellationToken.None);

        Assert.True(await OutboxAsync(app, address, m =>
            m.Status == OutboxMailStatus.GivenUp && m.ProtectedBody == null && m.LastError!.Contains("expired")));
    }

    [Fact]
    public async Task PickupModeWritesTheMailAsAnEmlFile()
    {
        await using var app = new AppFactory(25, new Dictionary<string, string?> { ["Mail:Mode"] = "Pickup", ["Mail:PickupDirectory"] = "pickup-" + Guid.NewGuid().ToString("N") });
        var api = new ApiClient(app.StartClient());
        var userId = await api.CreateUserAsync();
        var address = ApiClient.NewAddress();
        var pickup = Path.GetFullPath(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MailSettings>>().Value.PickupDirectory,
            app.Services.GetRequiredService<IHostEnvironment>().ContentRootPath);

        try
        {
            Assert.Equal(200, (await api.AddOtpEmailAsync(userId, new { address })).Status);

            await Eventually.TrueAsync(() => Directory.Exists(pickup) && Directory.GetFiles(pickup, "*.eml").Length == 1, "an .eml file");
            var message = await MimeKit.MimeMessage.LoadAsync(Directory.GetFiles(pickup, "*.eml")[0]);
            Assert.Equal(address, message.To.Mailboxes.Single().Address);
            Assert.Matches($"{app.PublicBaseUrl.AbsoluteUri}otp-email/verify\\?userID={userId}&code=[A-Z2-9]{{8}}&orgID=", message.TextBody);
        }
        finally
        {
            Directory.Delete(pickup, recursive: true);
        }
    }

    [Fact]
    public async Task ARelayThatSaysChunkingGetsTheMailByBdatWholeAndItsAnswerIsRecorded()
    {
        await using var relay = new ChunkingRelay().Start();
        await using var app = new AppFactory(relay.Port);

        var (userId, address) = await new ApiClient(app.StartClient()).AddSendingCodeAsync();

        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Status == OutboxMailStatus.Sent), "the mail to be recorded as sent");
        var (command, bytes) = Assert.Single(relay.Received);
        Assert.Equal("BDAT", command); // its size first, then the message: no wait for a go-ahead as with DATA
        var message = await MimeKit.MimeMessage.LoadAsync(new MemoryStream(bytes));
        Assert.Equal(address, message.To.Mailboxes.Single().Address);
        Assert.Matches($"{app.PublicBaseUrl.AbsoluteUri}otp-email/verify\\?userID={userId}&code=[A-Z2-9]{{8}}&orgID=", message.TextBody);
        Assert.Contains("code=", message.HtmlBody, StringComparison.Ordinal);
        Assert.True(await OutboxAsync(app, address, m => m.RelayResponse!.Contains("queued as BDAT", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ARelayThatSaysChunkingButDoesNotTakeBdatGetsTheMailByDataOnItsNextTry()
    {
        await using var relay = new ChunkingRelay("502 5.5.1 Error: command not recognized").Start();
        await using var app = new AppFactory(relay.Port);

        var (_, address) = await new ApiClient(app.StartClient()).AddSendingCodeAsync();

        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Status == OutboxMailStatus.Sent), "the mail to be recorded as sent");
        var (command, _) = Assert.Single(relay.Received);
        Assert.Equal("DATA", command);
        Assert.True(await OutboxAsync(app, address, m => m.Attempts == 2 && m.RelayResponse!.Contains("queued as DATA", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ARefusalOfTheContentSentByBdatFailsTheMailForGood()
    {
        await using var relay = new ChunkingRelay("554 5.7.1 Message rejected by policy").Start();
        await using var app = new AppFactory(relay.Port);

        var (_, address) = await new ApiClient(app.StartClient()).AddSendingCodeAsync();

        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Status == OutboxMailStatus.GivenUp), "the mail to be given up");
        Assert.True(await OutboxAsync(app, address, m => m.Attempts == 1 && m.RelayResponse!.StartsWith("554 ", StringComparison.Ordinal)));
        Assert.Empty(relay.Received);
    }

    [Fact]
    public async Task MailClaimedByAnotherInstanceIsLeftToItUntilTheClaimRunsOutThenSentOnceUnderItsMessageId()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var smtp = new SmtpSink();
        await smtp.StartAsync();
        await using var app = new AppFactory(smtp.Port, services: services => services.AddSingleton<TimeProvider>(clock));
        app.StartClient().Dispose();
        var address = ApiClient.NewAddress();
        long mailId;
        await using (var db = app.CreateDbContext())
        {
            // What an instance that died mid-round leaves: a pending mail it claimed for two minutes, stored
            // with its claim in one transaction, or this app's own dispatcher could take it in between.
            await using var transaction = await db.Database.BeginTransactionAsync();
            var mail = await app.Services.GetRequiredService<MailOutbox>().EnqueueAsync(
                db, address, "Verify your email", new VerificationMessage("en", "Acme", null, null).Content(MailPreview.SampleUser, "ABCD2345", new Uri("https://verify.example/"), TimeSpan.FromMinutes(10)),
                clock.GetUtcNow().AddMinutes(10), "test", CancellationToken.None);
            db.Attach(mail); // stored at once; the claim is then recorded on it
            mail.ClaimToken = 42;
            mail.ClaimedUntil = clock.GetUtcNow().AddMinutes(2);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            mailId = mail.Id;
        }

        await Dispatcher(app).DispatchDueAsync(CancellationToken.None);
        Assert.Empty(smtp.To(address));
        Assert.True(await OutboxAsync(app, address, m => m.Status == OutboxMailStatus.Pending && m.ClaimToken == 42));

        clock.Advance(TimeSpan.FromMinutes(3));
        await Dispatcher(app).DispatchDueAsync(CancellationToken.None);

        var sent = await smtp.WaitForMailToAsync(address);
        Assert.Equal($"{mailId}@otpemail.test", sent.MessageId);
        Assert.True(await OutboxAsync(app, address, m => m.Status == OutboxMailStatus.Sent && m.ClaimToken != 42));
        await Dispatcher(app).DispatchDueAsync(CancellationToken.None);
        Assert.Single(smtp.To(address));
    }

    [Fact]
    public async Task ADispatchRoundFindsItsOwnMailByKeyOrClaimNeverByWalkingThePendingMail()
    {
        // SQLite plans without statistics: an index led by the status once made every round of 50 read the whole backlog.
        var statements = new OutboxStatements();
        await using var smtp = new SmtpSink();
        await smtp.StartAsync();
        await using var app = new AppFactory(smtp.Port, services: services => services.ConfigureDbContext<SqliteDbContext>(options => options.AddInterceptors(statements)));

        var (_, address) = await new ApiClient(app.StartClient()).AddSendingCodeAsync();
        await smtp.WaitForMailToAsync(address);
        await Eventually.TrueAsync(() => OutboxAsync(app, address, m => m.Status == OutboxMailStatus.Sent), "the mail to be recorded as sent");

        // The claim, the round's read and the record of what was sent: each names its mail by key or by claim.
        var ownMail = statements.All
            .Where(s => s.Sql.StartsWith("SELECT", StringComparison.Ordinal) || s.Sql.StartsWith("UPDATE", StringComparison.Ordinal))
            .Where(s => s.Sql.Contains("\"ClaimToken\" =", StringComparison.Ordinal) || s.Sql.Contains("\"Id\" IN", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(ownMail, s => s.Sql.StartsWith("UPDATE", StringComparison.Ordinal));
        Assert.Contains(ownMail, s => s.Sql.StartsWith("SELECT", StringComparison.Ordinal));
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(app.DataDirectory, "app.db")}");
        await connection.OpenAsync();
        foreach (var statement in ownMail)
        {
            await using var explain = connection.CreateCommand();
            explain.CommandText = "EXPLAIN QUERY PLAN " + statement.Sql;
            foreach (var (name, value) in statement.Parameters)
            {
                explain.Parameters.AddWithValue(name, value);
            }

            await using var plan = await explain.ExecuteReaderAsync();
            Assert.True(await plan.ReadAsync());
            Assert.Matches(@"^SEARCH \S+ USING (INTEGER PRIMARY KEY|INDEX IX_Outbox_ClaimToken) ", plan.GetString(3));
        }
    }

    [Fact]
    public async Task ARoundSendsOnAsManyConnectionsAtOnceAsTheSettingsSay()
    {
        var transport = new SideBySideTransport(expected: 3);
        await using var app = new AppFactory(25, new Dictionary<string, string?> { ["Mail:Connections"] = "3" },
            services => services.AddSingleton<IMailTransport>(transport));
        var api = new ApiClient(app.StartClient());
        string[] users = [await api.CreateUserAsync(), await api.CreateUserAsync()]; // 15 each: a user has at most 20
        var addresses = Enumerable.Range(0, 30).Select(_ => ApiClient.NewAddress()).ToList(); // shared out by recipient: enough that each connection gets some

        await Task.WhenAll(addresses.Select((address, i) => api.AddOtpEmailAsync(users[i % 2], Json.SendCode(address))));

        await Eventually.TrueAsync(() => addresses.All(transport.Sent.ContainsKey), "every mail sent");
        Assert.Equal(3, transport.MostAtOnce);
        Assert.All(addresses, address => Assert.Equal(1, transport.Sent[address]));
    }

    [Fact]
    public async Task WhileARoundSendsTheNextIsClaimedAndAnAddressStillGetsItsMailInTheOrderItWasQueued()
    {
        var (transport, clock) = (new OrderedTransport(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var app = RoundsOfTwoOnOneConnection(transport, clock);
        var address = ApiClient.NewAddress();

        var queued = await HoldTheFirstRoundAsync(app, transport, clock, address);
        transport.ReleaseFirstSend();

        await Eventually.TrueAsync(() => transport.Sent.Count == 5, "every mail sent");
        Assert.Equal(queued, transport.Sent);
        await Eventually.TrueAsync(async () => await SentAsync(app, address) == 5, "every mail recorded as sent");
    }

    [Fact]
    public async Task WhenARoundStopsEarlyTheRoundClaimedAheadGoesBackAndDoesNotOvertakeTheMailLeft()
    {
        var (transport, clock) = (new OrderedTransport(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var app = RoundsOfTwoOnOneConnection(transport, clock);
        var address = ApiClient.NewAddress();
        transport.FailFirstSend(); // the relay is away for the first: the round stops, the second goes back untried
        var queued = await EnqueueAsync(app, clock, address, 5);

        app.Services.GetRequiredService<MailOutbox>().Notify();
        await Eventually.TrueAsync(() => transport.Sent.Count == 4, "the four mails not refused sent");
        clock.Advance(TimeSpan.FromMinutes(1)); // the first mail's retry is due
        await Eventually.TrueAsync(() => transport.Sent.Count == 5, "the first mail sent on its retry");

        // The mail the first round did not reach went before the round claimed ahead of it, not after.
        Assert.Equal([queued[1], queued[2], queued[3], queued[4], queued[0]], transport.Sent);
        await Eventually.TrueAsync(async () => await SentAsync(app, address) == 5, "every mail recorded as sent");
    }

    [Fact]
    public async Task StoppingWhileARoundSendsGivesBackItsMailAndTheRoundClaimedAhead()
    {
        var (transport, clock) = (new OrderedTransport(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var app = RoundsOfTwoOnOneConnection(transport, clock);
        var address = ApiClient.NewAddress();

        await HoldTheFirstRoundAsync(app, transport, clock, address);
        await Dispatcher(app).StopAsync(CancellationToken.None); // the host stops while the first mail is under way

        // Nothing is left held until a lease runs out: the next dispatcher (another instance, or this one started again) sends it at once.
        await using var db = app.CreateDbContext();
        Assert.Equal(0, await db.OutboxMails.CountAsync(m => m.To == address && m.ClaimedUntil != null));
        Assert.Equal(5, await db.OutboxMails.CountAsync(m => m.To == address && m.Status == OutboxMailStatus.Pending));
        Assert.Empty(transport.Sent);
    }

    // Rounds of two mails on one connection (the order it sends in is the order of delivery), at the time the test says.
    private static AppFactory RoundsOfTwoOnOneConnection(OrderedTransport transport, FakeTimeProvider clock) =>
        new(25, new Dictionary<string, string?> { ["Mail:BatchSize"] = "2", ["Mail:Connections"] = "1" },
            services => services.AddSingleton<IMailTransport>(transport).AddSingleton<TimeProvider>(clock));

    // Five mails to one address; the first round's first send is held, and the next round (two more) claimed meanwhile. Returns the ids in queue order.
    private static async Task<List<long>> HoldTheFirstRoundAsync(AppFactory app, OrderedTransport transport, FakeTimeProvider clock, string address)
    {
        transport.HoldFirstSend(); // before the mail is stored: the dispatcher also looks by itself
        var queued = await EnqueueAsync(app, clock, address, 5);
        app.Services.GetRequiredService<MailOutbox>().Notify();
        await transport.FirstSendStarted;
        await Eventually.TrueAsync(async () => await ClaimedAsync(app, address) == 4, "the next round claimed while the first one sends");
        return queued;
    }

    // Mail to one address, queued a second apart, stored in one transaction (a round sees all of it or none); returns the ids in queue order.
    private static async Task<List<long>> EnqueueAsync(AppFactory app, FakeTimeProvider clock, string address, int count)
    {
        app.StartClient().Dispose();
        var outbox = app.Services.GetRequiredService<MailOutbox>();
        await using var db = app.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        List<long> ids = [];
        for (var i = 0; i < count; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var content = new VerificationMessage("en", "Acme", null, null).Content(MailPreview.SampleUser, $"CODE{i}", new Uri("https://verify.example/"), TimeSpan.FromMinutes(10));
            ids.Add((await outbox.EnqueueAsync(db, address, "Verify your email", content, clock.GetUtcNow().AddMinutes(10), "test", CancellationToken.None)).Id);
        }

        await transaction.CommitAsync();
        return ids;
    }

    private static async Task<int> ClaimedAsync(AppFactory app, string address)
    {
        await using var db = app.CreateDbContext();
        return await db.OutboxMails.CountAsync(m => m.To == address && m.ClaimToken != null);
    }

    private static async Task<int> SentAsync(AppFactory app, string address)
    {
        await using var db = app.CreateDbContext();
        return await db.OutboxMails.CountAsync(m => m.To == address && m.Status == OutboxMailStatus.Sent && m.ProtectedBody == null);
    }

    // Keeps the mail sent, in the order sent (by outbox id, from the Message-ID); can hold the first send, or refuse it as a relay that is away would.
    private sealed class OrderedTransport : IMailTransport
    {
        private readonly TaskCompletionSource _firstSendStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _hold;
        private bool _failFirst;

        public List<long> Sent { get; } = [];

        public Task FirstSendStarted => _firstSendStarted.Task;

        public void HoldFirstSend() => _hold = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleaseFirstSend() => _hold!.SetResult();

        public void FailFirstSend() => _failFirst = true;

        public Task<IMailSession> OpenAsync(CancellationToken cancellationToken) => Task.FromResult<IMailSession>(new Session(this));

        private sealed class Session(OrderedTransport transport) : IMailSession
        {
            public async Task<string?> SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken)
            {
                var id = long.Parse(message.MessageId!.Split('@')[0], System.Globalization.CultureInfo.InvariantCulture);
                var first = transport._firstSendStarted.TrySetResult();
                if (first && transport._hold is { } hold)
                {
                    await hold.Task.WaitAsync(cancellationToken);
                }

                if (first && transport._failFirst)
                {
                    throw new TransientMailException("the relay is away", new IOException("connection refused"));
                }

                lock (transport.Sent)
                {
                    transport.Sent.Add(id);
                }

                return "250 OK";
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    // Each send waits (up to 2 s) until as many sessions send as expected: one connection at a time never gets there.
    private sealed class SideBySideTransport(int expected) : IMailTransport
    {
        private readonly TaskCompletionSource _allSending = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _sending;

        public ConcurrentDictionary<string, int> Sent { get; } = new();

        public int Expected { get; } = expected;

        public int MostAtOnce { get; private set; }

        public Task<IMailSession> OpenAsync(CancellationToken cancellationToken) => Task.FromResult<IMailSession>(new Session(this));

        private sealed class Session(SideBySideTransport transport) : IMailSession
        {
            public async Task<string?> SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken)
            {
                var now = Interlocked.Increment(ref transport._sending);
                lock (transport)
                {
                    transport.MostAtOnce = Math.Max(transport.MostAtOnce, now);
                }

                if (now >= transport.Expected)
                {
                    transport._allSending.TrySetResult();
                }

                try
                {
                    try
                    {
                        await transport._allSending.Task.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
                    }
                    catch (TimeoutException)
                    {
                        // then the send goes on alone
                    }

                    transport.Sent.AddOrUpdate(message.To.Mailboxes.Single().Address, 1, (_, n) => n + 1);
                    return "250 OK";
                }
                finally
                {
                    Interlocked.Decrement(ref transport._sending);
                }
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private static MailDispatcher Dispatcher(AppFactory app) =>
        app.Services.GetServices<IHostedService>().OfType<MailDispatcher>().Single();

    private static async Task<bool> OutboxAsync(AppFactory app, string address, Func<OutboxMail, bool> condition)
    {
        await using var db = app.CreateDbContext();
        var mail = await db.OutboxMails.AsNoTracking().SingleOrDefaultAsync(m => m.To == address);
        return mail is not null && condition(mail);
    }

    /// <summary>Every statement on the outbox, with its parameters.</summary>
    private sealed class OutboxStatements : DbCommandInterceptor
    {
        private readonly ConcurrentQueue<(string Sql, (string Name, object? Value)[] Parameters)> _statements = new();

        public IEnumerable<(string Sql, (string Name, object? Value)[] Parameters)> All => _statements;

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            Record(command, result);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Record(command, result));

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Record(command, result);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Record(command, result));

        private T Record<T>(DbCommand command, T result)
        {
            if (command.CommandText.Contains("\"Outbox\"", StringComparison.Ordinal))
            {
                _statements.Enqueue((command.CommandText, [.. command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, (object?)p.Value))]));
            }

            return result;
        }
    }
}
