using System.Text.Json.Nodes;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Events;

/// <summary>The event feed, on both providers (<see cref="EventFeedApiTestsOnSqlite"/>, <see cref="EventFeedApiTestsOnPostgres"/>).</summary>
public abstract class EventFeedApiTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;

    [Fact]
    public async Task AFollowerSeesEachOfAUsersEventsOnceInOrderWithoutCodes()
    {
        var start = await EndOfFeedAsync(_api, ApiClient.Admin);
        var (userId, otpId, code) = await _api.AddReturningCodeAsync();
        await _api.VerifyAsync(userId, otpId, "ZZZZZZZZ");
        var resent = await _api.ResendAsync(userId, otpId, new { returnCode = new { } });
        await _api.VerifyAsync(userId, otpId, resent.Json["verificationCode"]!.GetValue<string>());
        await _api.RemoveAsync(userId, otpId);

        var (events, _) = await FollowAsync(_api, start, ApiClient.Admin, limit: 2);

        var mine = events.Where(e => e["userId"]?.GetValue<string>() == userId).ToList();
        Assert.Equal(
            ["user.created", "otp_email.added", "otp_email.verification_failed", "otp_email.code_sent", "otp_email.verified", "otp_email.removed"],
            mine.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal(["1", "2", "3", "4", "5", "6"], mine.Select(e => e["sequence"]!.GetValue<string>()));
        Assert.Equal(events.Count, events.Select(e => e["id"]!.GetValue<string>()).Distinct().Count());
        Assert.All(mine.Skip(1), e => Assert.Equal(otpId, e["otpEmailId"]!.GetValue<string>()));
        Assert.Equal("return_code", mine[1]["data"]!["mode"]!.GetValue<string>());
        Assert.Equal(ApiClient.AcmeId, mine[0]["organizationId"]!.GetValue<string>());
        Assert.Equal(ApiClient.Admin, mine[0]["actor"]!.GetValue<string>());
        Assert.True(DateTimeOffset.TryParse(mine[0]["occurredAt"]!.GetValue<string>(), out _));
        var all = string.Join('\n', events.Select(e => e.ToJsonString()));
        Assert.DoesNotContain(code, all, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(resent.Json["verificationCode"]!.GetValue<string>(), all, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TypesAndOrganizationNarrowTheFeed()
    {
        var start = await EndOfFeedAsync(_api, ApiClient.Admin);
        var globex = await _api.CreateUserAsync(ApiClient.GlobexId);
        var acme = await _api.CreateUserAsync(ApiClient.AcmeId);
        await _api.AddOtpEmailAsync(globex, Json.Verified(ApiClient.NewAddress()));

        var reply = await _api.PostAsync("/v3alpha/events/_search", Json.Of(new { afterPosition = start, types = new[] { "user.created" }, organizationId = ApiClient.GlobexId }));

        var events = reply.Json["events"]!.AsArray();
        Assert.Equal(200, reply.Status);
        Assert.Contains(events, e => e!["userId"]!.GetValue<string>() == globex);
        Assert.DoesNotContain(events, e => e!["userId"]!.GetValue<string>() == acme);
        Assert.All(events, e => Assert.Equal("user.created", e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ViewersMayReadAndScopedClientsSeeOnlyTheirOrganizations()
    {
        var start = await EndOfFeedAsync(_api, ApiClient.Admin);
        var globex = await _api.CreateUserAsync(ApiClient.GlobexId);
        var acme = await _api.CreateUserAsync(ApiClient.AcmeId);

        var (scoped, _) = await FollowAsync(_api, start, ApiClient.Acme, limit: 1000);
        var viewer = await _api.PostAsync("/v3alpha/events/_search", Json.Of(new { afterPosition = start }), ApiClient.Viewer);
        var otherOrganization = await _api.PostAsync("/v3alpha/events/_search", Json.Of(new { organizationId = ApiClient.GlobexId }), ApiClient.Acme);
        var anonymous = await _api.PostAsync("/v3alpha/events/_search", "{}", as_: null);

        Assert.Contains(scoped, e => e["userId"]?.GetValue<string>() == acme);
        Assert.DoesNotContain(scoped, e => e["userId"]?.GetValue<string>() == globex);
        Assert.Equal(200, viewer.Status);
        Assert.Equal(ErrorCode.PermissionDenied, otherOrganization.ErrorCode());
        Assert.Equal(401, anonymous.Status);
    }

    [Theory]
    [InlineData("""{"limit":1001}""")]
    [InlineData("""{"limit":-1}""")]
    [InlineData("""{"afterPosition":"12"}""")]
    [InlineData("""{"afterPosition":"a.b"}""")]
    [InlineData("""{"types":["otp_email.code_issued"]}""")]
    [InlineData("""{"organizationId":"acme"}""")]
    public async Task BadSearchesAreRefused(string body)
    {
        var reply = await _api.PostAsync("/v3alpha/events/_search", body);

        Assert.Equal(400, reply.Status);
        Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
    }

    /// <summary>The position after every event visible now.</summary>
    public static async Task<string?> EndOfFeedAsync(ApiClient api, string caller) => (await FollowAsync(api, null, caller, 1000)).Next;

    /// <summary>Reads the feed from <paramref name="after"/> page by page until a page comes back short.</summary>
    public static async Task<(List<JsonNode> Events, string? Next)> FollowAsync(ApiClient api, string? after, string caller, int limit)
    {
        var events = new List<JsonNode>();
        while (true)
        {
            var reply = await api.PostAsync("/v3alpha/events/_search", Json.Of(new { afterPosition = after, limit }), caller);
            Assert.Equal(200, reply.Status);
            var page = reply.Json["events"]!.AsArray();
            events.AddRange(page.Select(e => e!));
            after = reply.Json["nextPosition"]!.GetValue<string>();
            if (page.Count < limit)
            {
                return (events, after);
            }
        }
    }
}

[Collection(ApiCollection.Name)]
public sealed class EventFeedApiTestsOnSqlite(ApiFixture fixture) : EventFeedApiTests(fixture);

[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class EventFeedApiTestsOnPostgres(PostgresApiFixture fixture) : EventFeedApiTests(fixture);
