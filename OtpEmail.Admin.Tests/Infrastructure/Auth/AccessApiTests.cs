using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Infrastructure.Auth;

/// <summary>The contract, run on both providers (<see cref="AccessApiTestsOnSqlite"/>, <see cref="AccessApiTestsOnPostgres"/>).</summary>
public abstract class AccessApiTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;
    private static readonly object Verified = Json.Verified("a@example.com");

    [Fact]
    public async Task NoTokenIsUnauthenticated()
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.AddOtpEmailAsync(userId, Verified, as_: null);

        Assert.Equal(401, reply.Status);
        Assert.Equal(ErrorCode.Unauthenticated, reply.ErrorCode());
        Assert.Equal("Bearer", reply.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task BadTokenIsUnauthenticated(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v3alpha/users/300000000000000001");
        request.Headers.Authorization = new("Bearer", token);

        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("\"code\":16", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TamperedTokenIsUnauthenticated()
    {
        var token = await _api.TokenAsync(ApiClient.Viewer);
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Base64Url(parts[1])).Replace("otp-viewer", "otp-admin");
        var forged = $"{parts[0]}.{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}.{parts[2]}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v3alpha/users");
        request.Headers.Authorization = new("Bearer", forged);
        request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");

        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("JWT", "nonce")] // an ID token, as providers type them
    [InlineData("JWT", "at_hash")]
    [InlineData("at+jwt", "nonce")] // typed as an access token, yet an ID token
    [InlineData("JWT", null)] // no ID-token claim, but for the staff sign-in's client: an ID token from a refresh
    [InlineData("logout+jwt", null)]
    [InlineData("id_token+jwt", null)]
    [InlineData(null, null)]
    public async Task OnlyAnAccessTokenIsAcceptedEvenWithTheApiAudience(string? type, string? idTokenClaim)
    {
        var userId = await _api.CreateUserAsync();
        var claims = idTokenClaim is null ? [] : new[] { (idTokenClaim, (object)"n-0S6_WzA2Mj") };

        var refused = await ReadUserAsync(userId, ProviderTokens.Sign(fixture.App, type, claims));

        Assert.Equal(401, refused.Status);
        Assert.Equal(ErrorCode.Unauthenticated, refused.ErrorCode());
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
        foreach (var accessType in new[] { "at+jwt", "AT+JWT", "application/at+jwt" }) // the same key and claims as an access token pass
        {
            Assert.Equal(200, (await ReadUserAsync(userId, ProviderTokens.Sign(fixture.App, accessType))).Status);
        }

        var apiOnly = ("aud", (object)new[] { "otpemail-api" }); // a plain JWT passes when it is for the API alone
        Assert.Equal(200, (await ReadUserAsync(userId, ProviderTokens.Sign(fixture.App, "jwt", apiOnly))).Status);
    }

    [Fact]
    public async Task ViewerMayReadButNotAddOrCreate()
    {
        var userId = await _api.CreateUserAsync();

        var read = await _api.GetAsync($"/v3alpha/users/{userId}", ApiClient.Viewer);
        var add = await _api.AddOtpEmailAsync(userId, Verified, ApiClient.Viewer);
        var create = await _api.PostAsync("/v3alpha/users", "{}", ApiClient.Viewer);

        Assert.Equal(200, read.Status);
        Assert.Equal(403, add.Status);
        Assert.Equal(ErrorCode.PermissionDenied, add.ErrorCode());
        Assert.Equal(403, create.Status);
        Assert.Equal(ErrorCode.PermissionDenied, create.ErrorCode());
    }

    [Fact]
    public async Task OrganizationScopedClientActsOnlyInItsOrganization()
    {
        var acmeUser = await _api.CreateUserAsync(ApiClient.AcmeId);
        var globexUser = await _api.CreateUserAsync(ApiClient.GlobexId);

        var inside = await _api.AddOtpEmailAsync(acmeUser, Verified, ApiClient.Acme);
        var outside = await _api.AddOtpEmailAsync(globexUser, Verified, ApiClient.Acme);
        var readOutside = await _api.GetAsync($"/v3alpha/users/{globexUser}", ApiClient.Acme);

        Assert.Equal(200, inside.Status);
        Assert.Equal(403, outside.Status);
        Assert.Equal(ErrorCode.PermissionDenied, outside.ErrorCode());
        Assert.Equal(403, readOutside.Status);
        await using var db = fixture.App.CreateDbContext();
        Assert.False(db.OtpEmails.Any(a => a.UserId == long.Parse(globexUser)));
    }

    [Fact]
    public async Task EventsNameTheOrganizationScopedActor()
    {
        var userId = await _api.CreateUserAsync(ApiClient.AcmeId);

        await _api.AddOtpEmailAsync(userId, Verified, ApiClient.Acme);

        await using var db = fixture.App.CreateDbContext();
        Assert.Equal(ApiClient.Acme, db.UserEvents.Single(e => e.UserId == long.Parse(userId) && e.Sequence == 2).ActorSubject);
    }

    [Theory]
    [InlineData("999999999999999999")]
    [InlineData("not-a-number")]
    [InlineData("-1")]
    public async Task UnknownUserIsNotFound(string userId)
    {
        var reply = await _api.AddOtpEmailAsync(userId, Verified);

        Assert.Equal(404, reply.Status);
        Assert.Equal(ErrorCode.NotFound, reply.ErrorCode());
    }

    [Fact]
    public async Task UserIdLongerThan200CharactersIsInvalid()
    {
        var reply = await _api.AddOtpEmailAsync(new string('1', 201), Verified);

        Assert.Equal(400, reply.Status);
        Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
    }

    [Fact]
    public async Task BodiesOverTheLimitAreRefusedWith413()
    {
        var userId = await _api.CreateUserAsync();
        var padding = new string('x', 9000);

        var reply = await _api.PostAsync($"/v3alpha/users/{userId}/otp_email", Json.Of(new { pad = padding, email = Verified }));

        Assert.Equal(413, reply.Status);
        Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
        await using var db = fixture.App.CreateDbContext();
        Assert.False(db.OtpEmails.Any(a => a.UserId == long.Parse(userId)));
    }

    [Fact]
    public async Task ChunkedBodiesOverTheLimitAreRefusedToo()
    {
        var userId = await _api.CreateUserAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v3alpha/users/{userId}/otp_email");
        request.Headers.Authorization = new("Bearer", await _api.TokenAsync(ApiClient.Admin));
        request.Headers.TransferEncodingChunked = true;
        request.Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$"""{"pad":"{{new string('x', 20000)}}"}""")));
        request.Content.Headers.ContentType = new("application/json");

        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Contains("\"code\":3", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WrongContentTypeIsUnsupportedMediaType()
    {
        var userId = await _api.CreateUserAsync();

        var reply = await _api.SendAsync(HttpMethod.Post, $"/v3alpha/users/{userId}/otp_email", Json.Of(new { email = Verified }), contentType: "text/plain");

        Assert.Equal(415, reply.Status);
        Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
    }

    [Fact]
    public async Task UnknownRoutesAndMethodsGetTheContractBody()
    {
        var missing = await _api.GetAsync("/v3alpha/nothing-here");
        var wrongMethod = await _api.SendAsync(HttpMethod.Put, "/v3alpha/users/1/otp_email", "{}");

        Assert.Equal(404, missing.Status);
        Assert.Equal(ErrorCode.NotFound, missing.ErrorCode());
        Assert.Equal(405, wrongMethod.Status);
        Assert.Equal(ErrorCode.Unimplemented, wrongMethod.ErrorCode());
    }

    [Fact]
    public async Task TokenEndpointRefusesAWrongSecret()
    {
        using var response = await _api.Http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = ApiClient.Admin,
            ["client_secret"] = "wrong",
        }));

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("invalid_client", await response.Content.ReadAsStringAsync());
    }

    private async Task<Reply> ReadUserAsync(string userId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v3alpha/users/{userId}");
        request.Headers.Authorization = new("Bearer", token);
        using var response = await _api.Http.SendAsync(request);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType, response.Headers);
    }

    private static byte[] Base64Url(string text)
    {
        text = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
    }
}

[Collection(ApiCollection.Name)]
public sealed class AccessApiTestsOnSqlite(ApiFixture fixture) : AccessApiTests(fixture);

[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class AccessApiTestsOnPostgres(PostgresApiFixture fixture) : AccessApiTests(fixture);
