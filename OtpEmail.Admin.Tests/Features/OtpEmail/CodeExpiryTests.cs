using System.Text.Json;
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
        var (userId, otpId, code) = await AddAsync();

        _clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var late = await VerifyAsync(userId, otpId, code);

        Assert.Equal(400, late.Status);
        Assert.Equal(9, late.ErrorCode());
    }

    [Fact]
    public async Task ACodeStillWorksJustBeforeItExpires()
    {
        var (userId, otpId, code) = await AddAsync();

        _clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));

        Assert.Equal(200, (await VerifyAsync(userId, otpId, code)).Status);
    }

    [Fact]
    public async Task TheSendLimitOpensAgainAfterAnHour()
    {
        var (userId, otpId, _) = await AddAsync();
        for (var i = 0; i < 4; i++)
        {
            await ResendAsync(userId, otpId);
        }

        Assert.Equal(429, (await ResendAsync(userId, otpId)).Status);
        _clock.Advance(TimeSpan.FromHours(1));
        var reopened = await ResendAsync(userId, otpId);

        Assert.Equal(200, reopened.Status);
        Assert.Equal(200, (await VerifyAsync(userId, otpId, reopened.Json["verificationCode"]!.GetValue<string>())).Status);
    }

    private async Task<(string, string, string)> AddAsync()
    {
        var userId = await _api.CreateUserAsync();
        var added = await _api.AddOtpEmailAsync(userId, $$$"""{"address":"{{{ApiClient.NewAddress()}}}","returnCode":{}}""");
        return (userId, added.Json["otpEmailId"]!.GetValue<string>(), added.Json["verificationCode"]!.GetValue<string>());
    }

    private Task<Reply> VerifyAsync(string userId, string otpId, string code) =>
        _api.PostAsync($"/v3alpha/users/{userId}/otp_email/{otpId}/verify", JsonSerializer.Serialize(new { code }));

    private Task<Reply> ResendAsync(string userId, string otpId) =>
        _api.PostAsync($"/v3alpha/users/{userId}/otp_email/{otpId}/_resend", """{"returnCode":{}}""");
}
