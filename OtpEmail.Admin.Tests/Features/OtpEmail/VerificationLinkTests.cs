using Microsoft.Extensions.DependencyInjection;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Errors;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.OtpEmail;

/// <summary>The rule behind the public verification page: anonymous, non-revealing, limited per client.</summary>
[Collection(ApiCollection.Name)]
public sealed class VerificationLinkTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;
    private OtpEmailService Service => fixture.App.Services.GetRequiredService<OtpEmailService>();

    [Fact]
    public async Task TheRightCodeVerifiesOnceAndRecordsTheLinkAsActor()
    {
        var (userId, _, code) = await _api.AddReturningCodeAsync();
        var client = NewClient();

        var first = await Service.VerifyLinkAsync(userId, ApiClient.AcmeId, code.ToLowerInvariant(), client, CancellationToken.None);
        var again = await Service.VerifyLinkAsync(userId, ApiClient.AcmeId, code, client, CancellationToken.None);

        Assert.True(first.IsSuccess);
        Assert.Equal(3, first.Value.Sequence);
        Assert.False(again.IsSuccess);
        var user = await _api.GetAsync($"/v3alpha/users/{userId}");
        Assert.True(user.Json["user"]!["authenticators"]!["otpEmail"]![0]!["isVerified"]!.GetValue<bool>());
        await using var db = fixture.App.CreateDbContext();
        Assert.Equal("verification-link", db.UserEvents.Single(e => e.UserId == long.Parse(userId) && e.Type == "otp_email.verified").ActorSubject);
    }

    [Fact]
    public async Task EveryFailureLooksTheSame()
    {
        var (userId, _, code) = await _api.AddReturningCodeAsync();
        var client = NewClient();

        var failures = new[]
        {
            await Service.VerifyLinkAsync(userId, ApiClient.AcmeId, "WRONG234", client, CancellationToken.None),
            await Service.VerifyLinkAsync(userId, ApiClient.GlobexId, code, client, CancellationToken.None),
            await Service.VerifyLinkAsync("999999999999999999", ApiClient.AcmeId, code, client, CancellationToken.None),
            await Service.VerifyLinkAsync("junk", null, null, client, CancellationToken.None),
        };

        Assert.All(failures, failure => Assert.Equal("OTPEMAIL-LINK-FAILED", failure.Error!.Id));
        Assert.Single(failures.Select(f => f.Error!.Message).Distinct());
    }

    [Fact]
    public async Task WrongLinkCodesCountTowardsInvalidation()
    {
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();
        var client = NewClient();

        for (var i = 0; i < 5; i++)
        {
            await Service.VerifyLinkAsync(userId, ApiClient.AcmeId, "WRONG234", client, CancellationToken.None);
        }

        Assert.False((await Service.VerifyLinkAsync(userId, ApiClient.AcmeId, code, client, CancellationToken.None)).IsSuccess);
        var viaApi = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email/{otpId}/verify", $$"""{"code":"{{code}}"}""");
        Assert.Equal(9, viaApi.ErrorCode());
    }

    [Fact]
    public async Task OneClientGetsTenAttemptsAMinute()
    {
        var (userId, _, code) = await _api.AddReturningCodeAsync();
        var client = NewClient();

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("OTPEMAIL-LINK-FAILED", (await Service.VerifyLinkAsync("1", "1", "x", client, CancellationToken.None)).Error!.Id);
        }

        var limited = await Service.VerifyLinkAsync(userId, ApiClient.AcmeId, code, client, CancellationToken.None);
        var otherClient = await Service.VerifyLinkAsync(userId, ApiClient.AcmeId, code, NewClient(), CancellationToken.None);

        Assert.Equal(ErrorCode.ResourceExhausted, limited.Error!.Code);
        Assert.NotNull(limited.Error.RetryAfter);
        Assert.True(otherClient.IsSuccess);
    }

    private static string NewClient() => $"198.51.100.{Random.Shared.Next(1, 255)}-{Guid.NewGuid():N}";
}
