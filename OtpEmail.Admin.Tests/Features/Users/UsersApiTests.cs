using System.Text.Json;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Tests.TestSupport;

namespace OtpEmail.Admin.Tests.Features.Users;

/// <summary>The contract, run on both providers (<see cref="UsersApiTestsOnSqlite"/>, <see cref="UsersApiTestsOnPostgres"/>).</summary>
public abstract class UsersApiTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;

    [Fact]
    public async Task CreatedUserCanBeReadBack()
    {
        var username = "grace" + Guid.NewGuid().ToString("N")[..8];

        var created = await _api.PostAsync("/v3alpha/users", JsonSerializer.Serialize(new
        {
            organization = new { org_id = ApiClient.GlobexId },
            user = new { username, given_name = "Grace", family_name = "Hopper", contact = new { email = new { address = "grace@example.com", is_verified = true } } },
        }));
        var userId = created.Json["userId"]!.GetValue<string>();
        var read = await _api.GetAsync($"/v3alpha/users/{userId}");

        Assert.Equal(200, created.Status);
        Assert.Equal("1", created.Json["details"]!["sequence"]!.GetValue<string>());
        Assert.Matches("^[1-9][0-9]{17}$", userId);
        var user = read.Json["user"]!;
        Assert.Equal(username, user["username"]!.GetValue<string>());
        Assert.Equal("Grace Hopper", user["displayName"]!.GetValue<string>());
        Assert.Equal("USER_STATE_ACTIVE", user["state"]!.GetValue<string>());
        Assert.Equal(ApiClient.GlobexId, user["details"]!["resourceOwner"]!.GetValue<string>());
        Assert.True(user["contact"]!["email"]!["isVerified"]!.GetValue<bool>());
        Assert.Empty(user["authenticators"]!["otpEmail"]!.AsArray());
    }

    [Fact]
    public async Task TheDisplayNameIsStoredWholeAndNamesTooLongForItTogetherAreRefused()
    {
        var given = new string('G', 200);
        var family = new string('F', 199); // with the space between them, the 400 the display name holds

        var fits = await _api.PostAsync("/v3alpha/users", NewUserJson(ApiClient.AcmeId, "fits" + Guid.NewGuid().ToString("N")[..8], given, family, "fits@example.com"));
        var tooLong = await _api.PostAsync("/v3alpha/users", NewUserJson(ApiClient.AcmeId, "long" + Guid.NewGuid().ToString("N")[..8], given, family + "F", "long@example.com"));

        Assert.Equal(200, fits.Status);
        var read = await _api.GetAsync($"/v3alpha/users/{fits.Json["userId"]!.GetValue<string>()}");
        Assert.Equal($"{given} {family}", read.Json["user"]!["displayName"]!.GetValue<string>());
        Assert.Equal(400, tooLong.Status);
        Assert.Equal(ErrorCode.InvalidArgument, tooLong.ErrorCode());
        Assert.Contains("USER-DISPLAYNAME-TOO-LONG", tooLong.Body);
    }

    [Fact]
    public async Task UsernameIsUniqueWithinAnOrganization()
    {
        var username = "dup" + Guid.NewGuid().ToString("N")[..8];
        await _api.CreateUserAsync(ApiClient.AcmeId, username);

        var again = await _api.PostAsync("/v3alpha/users", NewUserJson(ApiClient.AcmeId, username.ToUpperInvariant(), "A", "B", "a@example.com"));

        Assert.Equal(409, again.Status);
        Assert.Equal(ErrorCode.AlreadyExists, again.ErrorCode());
        await _api.CreateUserAsync(ApiClient.GlobexId, username); // another organization is fine
    }

    [Theory]
    [InlineData("""{"organization":{"orgId":"300000000000000001"},"user":{"username":"","givenName":"A","familyName":"B","contact":{"email":{"address":"a@example.com"}}}}""", 400)]
    [InlineData("""{"organization":{"orgId":"300000000000000001"},"user":{"username":"a b","givenName":"A","familyName":"B","contact":{"email":{"address":"a@example.com"}}}}""", 400)]
    [InlineData("""{"organization":{"orgId":"300000000000000001"},"user":{"username":"ab","givenName":"A","familyName":"B","contact":{"email":{"address":"not-an-address"}}}}""", 400)]
    [InlineData("""{"organization":{"orgId":"300000000000000001"},"user":{"username":"ab","givenName":"A","familyName":"B"}}""", 400)]
    [InlineData("""{"user":{"username":"ab","givenName":"A","familyName":"B","contact":{"email":{"address":"a@example.com"}}}}""", 400)]
    [InlineData("""{"organization":{"orgId":"399999999999999999"},"user":{"username":"ab","givenName":"A","familyName":"B","contact":{"email":{"address":"a@example.com"}}}}""", 404)]
    public async Task BadCreateRequestsAreRefused(string body, int status)
    {
        var reply = await _api.PostAsync("/v3alpha/users", body);

        Assert.Equal(status, reply.Status);
        Assert.Equal(status == 404 ? ErrorCode.NotFound : ErrorCode.InvalidArgument, reply.ErrorCode());
    }

    [Fact]
    public async Task SearchFindsAnyPartOfNamesAndEmailIgnoringCase()
    {
        var marker = "Zq" + Guid.NewGuid().ToString("N")[..6];
        var byGiven = await CreateAsync($"given{Guid.NewGuid():N}"[..20], given: $"Ann{marker}ette");
        var byEmail = await CreateAsync($"mail{Guid.NewGuid():N}"[..20], email: $"x.{marker.ToLowerInvariant()}@example.com");
        var byFamily = await CreateAsync($"fam{Guid.NewGuid():N}"[..20], family: $"Mc{marker.ToUpperInvariant()}");

        var reply = await _api.PostAsync("/v3alpha/users/_search", $$"""{"query":"{{marker.ToLowerInvariant()}}"}""");

        Assert.Equal(200, reply.Status);
        Assert.Equal("3", reply.Json["details"]!["totalResult"]!.GetValue<string>());
        var found = reply.Json["result"]!.AsArray().Select(u => u!["userId"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(new HashSet<string> { byGiven, byEmail, byFamily }, found);
    }

    [Fact]
    public async Task SearchPutsTheExactUsernameFirst()
    {
        var stem = "rel" + Guid.NewGuid().ToString("N")[..6];
        await CreateAsync(stem + "-longer", given: stem);
        await CreateAsync("x-" + stem, family: stem);
        var exact = await CreateAsync(stem);

        var reply = await _api.PostAsync("/v3alpha/users/_search", $$"""{"query":"{{stem}}"}""");

        Assert.Equal(exact, reply.Json["result"]![0]!["userId"]!.GetValue<string>());
    }

    [Fact]
    public async Task ShortQueriesMatchTheStartOfUsernameOrEmail()
    {
        var reply = await _api.PostAsync("/v3alpha/users/_search", """{"query":"mi","limit":100}""");

        Assert.Equal(200, reply.Status);
        var users = reply.Json["result"]!.AsArray();
        Assert.Contains(users, u => u!["username"]!.GetValue<string>() == "minnie.mouse");
        Assert.All(users, u => Assert.True(
            u!["username"]!.GetValue<string>().StartsWith("mi", StringComparison.OrdinalIgnoreCase) ||
            u["contact"]!["email"]!["address"]!.GetValue<string>().StartsWith("mi", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task SearchPagesWithOffsetAndLimit()
    {
        var all = await _api.PostAsync("/v3alpha/users/_search", $$"""{"query":"","organizationId":"{{ApiClient.GlobexId}}","limit":1000}""");
        var page = await _api.PostAsync("/v3alpha/users/_search", $$"""{"organizationId":"{{ApiClient.GlobexId}}","offset":"5","limit":"3"}""");

        var allIds = all.Json["result"]!.AsArray().Select(u => u!["userId"]!.GetValue<string>()).ToList();
        var pageIds = page.Json["result"]!.AsArray().Select(u => u!["userId"]!.GetValue<string>()).ToList();
        Assert.True(allIds.Count >= 30);
        Assert.Equal(allIds.Skip(5).Take(3), pageIds);
        Assert.Equal(all.Json["details"]!["totalResult"]!.GetValue<string>(), page.Json["details"]!["totalResult"]!.GetValue<string>());
    }

    [Fact]
    public async Task OrganizationScopedClientOnlyFindsItsOwnUsers()
    {
        var reply = await _api.PostAsync("/v3alpha/users/_search", """{"query":"mouse"}""", ApiClient.Acme);
        var other = await _api.PostAsync("/v3alpha/users/_search", $$"""{"query":"mouse","organizationId":"{{ApiClient.GlobexId}}"}""", ApiClient.Acme);

        Assert.Equal(200, reply.Status);
        Assert.NotEmpty(reply.Json["result"]!.AsArray());
        Assert.All(reply.Json["result"]!.AsArray(), u => Assert.Equal(ApiClient.AcmeId, u!["details"]!["resourceOwner"]!.GetValue<string>()));
        Assert.Equal(403, other.Status);
    }

    [Theory]
    [InlineData("""{"limit":1001}""")]
    [InlineData("""{"offset":-1}""")]
    [InlineData("""{"organizationId":"acme"}""")]
    [InlineData("""{"query":5}""")]
    public async Task BadSearchRequestsAreInvalid(string body)
    {
        var reply = await _api.PostAsync("/v3alpha/users/_search", body);

        Assert.Equal(400, reply.Status);
        Assert.Equal(ErrorCode.InvalidArgument, reply.ErrorCode());
    }

    [Fact]
    public async Task SearchTreatsQuotesAndOperatorsAsText()
    {
        foreach (var query in new[] { "\\\"a OR b\\\"", "NEAR(x y)", "a*b", "%_%", "' OR 1=1 --" })
        {
            var reply = await _api.PostAsync("/v3alpha/users/_search", $$"""{"query":"{{query}}"}""");
            Assert.Equal(200, reply.Status);
            Assert.Equal("0", reply.Json["details"]!["totalResult"]!.GetValue<string>());
        }
    }

    private async Task<string> CreateAsync(string username, string given = "Test", string family = "User", string? email = null)
    {
        var reply = await _api.PostAsync("/v3alpha/users", NewUserJson(ApiClient.AcmeId, username, given, family, email ?? username + "@example.com"));
        Assert.Equal(200, reply.Status);
        return reply.Json["userId"]!.GetValue<string>();
    }

    private static string NewUserJson(string orgId, string username, string given, string family, string address) =>
        JsonSerializer.Serialize(new
        {
            organization = new { orgId },
            user = new { username, givenName = given, familyName = family, contact = new { email = new { address } } },
        });

    [Theory]
    [InlineData("""{"offset":10001}""")]
    [InlineData("""{"offset":"9223372036854775807","limit":1000}""")]
    [InlineData("""{"offset":-1}""")]
    public async Task AnOffsetBeyondTenThousandIsInvalidArgument(string body)
    {
        var reply = await _api.PostAsync("/v3alpha/users/_search", body);

        Assert.Equal((400, ErrorCode.InvalidArgument), (reply.Status, reply.ErrorCode()));
        Assert.Equal("SEARCH-OFFSET", reply.Json["details"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheLastAllowedOffsetStillAnswers()
    {
        var reply = await _api.PostAsync("/v3alpha/users/_search", """{"offset":10000,"limit":1000}""");

        Assert.Equal(200, reply.Status);
        Assert.Empty(reply.Json["result"]!.AsArray());
    }
}

[Collection(ApiCollection.Name)]
public sealed class UsersApiTestsOnSqlite(ApiFixture fixture) : UsersApiTests(fixture);

[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class UsersApiTestsOnPostgres(PostgresApiFixture fixture) : UsersApiTests(fixture);
