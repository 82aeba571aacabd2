using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

public sealed class CodeExpiryTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AppFactory _app = null!;
    private ApiClient _api = null!;

    public Task InitializeAsync()
    {
        _app = new AppFactory(25, services: services => services.AddSingleton<TimeProvider>(_clock));
        _api = new ApiClient(_app.StartClient());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ACodeExpiresAfterTenMinutes()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();

        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var late = await _api.VerifyAsync(userId, otpId, code);

        Assert.Equal(400, late.Status);
        Assert.Equal(9, late.ErrorCode());
    }

    [Fact]
    public async Task ACodeStillWorksJustBeforeItExpires()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();

        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));

        Assert.Equal(200, (await _api.VerifyAsync(userId, otpId, code)).Status);
    }

    [Fact]
    public async Task TheSendLimitOpensAgainAfterAnHour()
    {
        var (userId, otpId, _) = await _api.AddReturningCodeAsync();
        for (var i = 0; i < 4; i++)
        {
            await _api.ResendAsync(userId, otpId);
        }

        Assert.Equal(429, (await _api.ResendAsync(userId, otpId)).Status);
        _clock.Advance(TimeSpan.FromHours(1));
        var reopened = await _api.ResendAsync(userId, otpId);

        Assert.Equal(200, reopened.Status);
        Assert.Equal(200, (await _api.VerifyAsync(userId, otpId, reopened.Json["verificationCode"]!.GetValue<string>())).Status);
    }
}
