using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OtpEmail.Admin.Infrastructure.Telemetry;
using OtpEmail.Admin.Tests.Infrastructure.Http;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Telemetry;

[Collection(ApiCollection.Name)]
public sealed class TelemetryTests(ApiFixture fixture)
{
    [Fact]
    public async Task AnAddAndAVerificationMoveTheCounters()
    {
        var meters = fixture.App.Services.GetRequiredService<IMeterFactory>();
        var seen = new ConcurrentQueue<(string Instrument, long Value, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AppTelemetry.Name && instrument.Meter.Scope == meters) // this app's, not another test's
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Enqueue((instrument.Name, value, string.Join(",", tags.ToArray().Select(tag => $"{tag.Key}={tag.Value}")))));
        listener.Start();

        var (userId, otpId, code) = await fixture.Api.AddReturningCodeAsync();
        await fixture.Api.VerifyAsync(userId, otpId, "WRONGONE");
        await fixture.Api.VerifyAsync(userId, otpId, code);

        Assert.Equal(
            [
                ("otpemail.authenticators.added", 1L, "mode=return_code"),
                ("otpemail.codes.issued", 1L, "mode=return_code"),
                ("otpemail.verifications", 1L, "door=api,outcome=OTPEMAIL-CODE-WRONG"),
                ("otpemail.verifications", 1L, "door=api,outcome=verified"),
            ],
            seen.Where(m => m.Instrument.StartsWith("otpemail.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TheOutboxGaugesReportDepthAndOldestAge()
    {
        // An app of its own whose relay is down: its outbox holds exactly the mails this test queues.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new AppFactory(AppFactory.FreeLoopbackPort(), services: services => services.AddSingleton<TimeProvider>(clock));
        var api = new ApiClient(app.StartClient());
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var seen = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name.StartsWith("otpemail.outbox.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => seen[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal((0, 0), (seen["otpemail.outbox.depth"], seen["otpemail.outbox.oldest_age"]));

        foreach (var i in Enumerable.Range(0, 2))
        {
            Assert.Equal(200, (await api.AddOtpEmailAsync(await api.CreateUserAsync(), Json.SendCode(ApiClient.NewAddress()))).Status);
        }

        clock.Advance(TimeSpan.FromSeconds(90));
        listener.RecordObservableInstruments();

        Assert.Equal(2, seen["otpemail.outbox.depth"]);
        Assert.InRange(seen["otpemail.outbox.oldest_age"], 90, 91); // stored times may lose a little precision
    }

    [Fact]
    public async Task NoCodeAndNoTokenInAnyLogLine()
    {
        var token = await fixture.Api.TokenAsync(ApiClient.Admin);
        var (userId, otpId, first) = await fixture.Api.AddReturningCodeAsync();
        await fixture.Api.VerifyAsync(userId, otpId, "WRONGONE");
        var second = (await fixture.Api.ResendAsync(userId, otpId)).Json["verificationCode"]!.GetValue<string>();
        await fixture.Api.VerifyAsync(userId, otpId, second);

        var logs = string.Join('\n', fixture.App.Logs.Lines);

        Assert.Contains(otpId, logs); // the operations were logged, by id
        Assert.DoesNotContain(first, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(second, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], logs, StringComparison.Ordinal); // not even the signature
    }

    [Fact]
    public async Task OutsideDevelopmentLogsAreJsonLinesWithTraceIds()
    {
        await using var app = new AppFactory(25, ProductionTests.Settings(), environment: "Production");
        app.StartServer();

        var console = app.Services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value;
        var tracking = app.Services.GetRequiredService<IOptions<LoggerFactoryOptions>>().Value.ActivityTrackingOptions;
        var json = app.Services.GetRequiredService<IOptions<JsonConsoleFormatterOptions>>().Value;

        Assert.Equal(ConsoleFormatterNames.Json, console.FormatterName);
        Assert.True(json.IncludeScopes);
        Assert.True(tracking.HasFlag(ActivityTrackingOptions.TraceId) && tracking.HasFlag(ActivityTrackingOptions.SpanId));
        Assert.Contains(app.Services.GetServices<ILoggerProvider>(), provider => provider is ConsoleLoggerProvider);
    }
}
