using Grpc.Core;
using OtpEmail.Admin.Protos.UserV3Alpha;
using OtpEmail.Admin.Tests.TestSupport;
using ZitadelErrorDetail = OtpEmail.Admin.Protos.Zitadel.ErrorDetail;

namespace OtpEmail.Admin.Tests.Grpc;

/// <summary>The gRPC door over native gRPC, gRPC-Web and gRPC-Web text behaves as the JSON door does.</summary>
/// <summary>The contract, run on both providers (<see cref="UserGrpcServiceTestsOnSqlite"/>, <see cref="UserGrpcServiceTestsOnPostgres"/>).</summary>
public abstract class UserGrpcServiceTests(ApiFixture fixture)
{
    private readonly ApiClient _api = fixture.Api;

    public static TheoryData<GrpcTransport> Transports => [GrpcTransport.Native, GrpcTransport.WebBinary, GrpcTransport.WebText];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task EachModeAddsAsTheJsonDoorDoes(GrpcTransport transport)
    {
        var client = Client(transport);
        var auth = await _api.AuthAsync();
        var grpcUser = await _api.CreateUserAsync();
        var jsonUser = await _api.CreateUserAsync();
        var mailed = ApiClient.NewAddress();

        // Send code last: its mail's delivery is an event of the user too, and may come at any time after it.
        var returned = await client.AddOTPEmailAuthenticatorAsync(Add(grpcUser, ApiClient.NewAddress(), e => e.ReturnCode = new ReturnEmailVerificationCode()), auth);
        var verified = await client.AddOTPEmailAuthenticatorAsync(Add(grpcUser, ApiClient.NewAddress(), e => e.IsVerified = true), auth);
        var sent = await client.AddOTPEmailAuthenticatorAsync(Add(grpcUser, mailed, e => e.SendCode = new SendEmailVerificationCode { UrlTemplate = "https://example.com/g?c={{.Code}}" }), auth);
        await _api.AddOtpEmailAsync(jsonUser, Json.ReturnCode(ApiClient.NewAddress()));
        var json = await _api.AddOtpEmailAsync(jsonUser, Json.Verified(ApiClient.NewAddress()));
        await _api.AddOtpEmailAsync(jsonUser, Json.SendCode(ApiClient.NewAddress()));

        Assert.False(sent.HasVerificationCode);
        Assert.Matches("^[A-Z2-9]{8}$", returned.VerificationCode);
        Assert.False(verified.HasVerificationCode);
        Assert.Equal(json.Json["details"]!["sequence"]!.GetValue<string>(), verified.Details.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ApiClient.AcmeId, verified.Details.ResourceOwner);
        Assert.InRange(verified.Details.ChangeDate.ToDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Matches("^[1-9][0-9]{17}$", verified.OtpEmailId);
        Assert.Contains("https://example.com/g?c=", (await fixture.Smtp.WaitForMailToAsync(mailed)).TextBody);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task TheWholeLifecycleWorks(GrpcTransport transport)
    {
        var client = Client(transport);
        var auth = await _api.AuthAsync();
        var created = await client.CreateUserAsync(new CreateUserRequest
        {
            Organization = new Organization { OrgId = ApiClient.GlobexId },
            User = new SetUser
            {
                Username = "grpc" + Guid.NewGuid().ToString("N")[..10],
                GivenName = "Remote",
                FamilyName = "Caller",
                Contact = new SetContact { Email = new SetContactEmail { Address = "remote@example.com", IsVerified = true } },
            },
        }, auth);
        var added = await client.AddOTPEmailAuthenticatorAsync(Add(created.UserId, ApiClient.NewAddress(), e => e.ReturnCode = new()), auth);

        var resent = await client.ResendOTPEmailCodeAsync(new ResendOTPEmailCodeRequest { UserId = created.UserId, OtpEmailId = added.OtpEmailId, ReturnCode = new() }, auth);
        var wrongOld = await Assert.ThrowsAsync<RpcException>(() => client.VerifyOTPEmailRegistrationAsync(
            new VerifyOTPEmailRegistrationRequest { UserId = created.UserId, OtpEmailId = added.OtpEmailId, Code = added.VerificationCode }, auth).ResponseAsync);
        var verified = await client.VerifyOTPEmailRegistrationAsync(
            new VerifyOTPEmailRegistrationRequest { UserId = created.UserId, OtpEmailId = added.OtpEmailId, Code = resent.VerificationCode }, auth);
        var read = await client.GetUserAsync(new GetUserRequest { UserId = created.UserId }, auth);
        var found = await client.SearchUsersAsync(new SearchUsersRequest { Query = "remote@example", OrganizationId = ApiClient.GlobexId, Limit = 1000 }, auth);
        var removed = await client.RemoveOTPEmailAuthenticatorAsync(new RemoveOTPEmailAuthenticatorRequest { UserId = created.UserId, OtpEmailId = added.OtpEmailId }, auth);
        var after = await client.GetUserAsync(new GetUserRequest { UserId = created.UserId }, auth);

        Assert.Equal(1ul, created.Details.Sequence);
        Assert.Equal(StatusCode.InvalidArgument, wrongOld.StatusCode);
        Assert.Equal(5ul, verified.Details.Sequence); // created, added, code issued, failed try, verified
        Assert.True(read.User.Authenticators.OtpEmail.Single().IsVerified);
        Assert.Equal(UserState.Active, read.User.State);
        Assert.True(read.User.Contact.Email.IsVerified);
        Assert.Contains(found.Result, u => u.UserId == created.UserId);
        Assert.Equal((ulong)found.Result.Count, found.Details.TotalResult);
        Assert.Equal(6ul, removed.Details.Sequence);
        Assert.Empty(after.User.Authenticators.OtpEmail);
    }

    // Each case's code and detail id, as the contract's table has them (docs/api-contract.md).
    private static readonly Dictionary<string, (StatusCode Code, string Id)> ExpectedErrors = new()
    {
        ["unauthenticated"] = (StatusCode.Unauthenticated, "AUTH-UNAUTHENTICATED"),
        ["permission"] = (StatusCode.PermissionDenied, "AUTHZ-PERMISSION"),
        ["organization"] = (StatusCode.PermissionDenied, "AUTHZ-ORGANIZATION"),
        ["user"] = (StatusCode.NotFound, "USER-NOTFOUND"),
        ["address"] = (StatusCode.InvalidArgument, "EMAIL-FORMAT"),
        ["template"] = (StatusCode.InvalidArgument, "URLTEMPLATE-SCHEME"),
        ["duplicate"] = (StatusCode.AlreadyExists, "OTPEMAIL-ALREADY-EXISTS"),
        ["oneof-false"] = (StatusCode.InvalidArgument, "OTPEMAIL-ISVERIFIED-FALSE"),
    };

    public static TheoryData<GrpcTransport, string> ErrorCases()
    {
        var data = new TheoryData<GrpcTransport, string>();
        foreach (var transport in new[] { GrpcTransport.Native, GrpcTransport.WebBinary, GrpcTransport.WebText })
        {
            foreach (var name in ExpectedErrors.Keys)
            {
                data.Add(transport, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task ErrorsCarryTheSameCodeMessageAndDetailAsTheJsonDoor(GrpcTransport transport, string name)
    {
        var client = Client(transport);
        var acmeUser = await _api.CreateUserAsync(ApiClient.AcmeId);
        var globexUser = await _api.CreateUserAsync(ApiClient.GlobexId);
        var existing = ApiClient.NewAddress();
        await _api.AddOtpEmailAsync(acmeUser, Json.Verified(existing));
        var (caller, userId, email, json) = name switch
        {
            "unauthenticated" => ((string?)null, acmeUser, Email("a@example.com", verified: true), Json.Verified("a@example.com")),
            "permission" => (ApiClient.Viewer, acmeUser, Email("a@example.com", verified: true), Json.Verified("a@example.com")),
            "organization" => (ApiClient.Acme, globexUser, Email("a@example.com", verified: true), Json.Verified("a@example.com")),
            "user" => (ApiClient.Admin, "999999999999999999", Email("a@example.com", verified: true), Json.Verified("a@example.com")),
            "address" => (ApiClient.Admin, acmeUser, Email("not an address", verified: true), Json.Verified("not an address")),
            "template" => (ApiClient.Admin, acmeUser, Email("a@example.com", template: "http://example.com/{{.Code}}"), Json.SendCode("a@example.com", "http://example.com/{{.Code}}")),
            "duplicate" => (ApiClient.Admin, acmeUser, Email(existing, verified: true), Json.Verified(existing)),
            _ => (ApiClient.Admin, acmeUser, Email("a@example.com", verified: false), new { address = "a@example.com", isVerified = false }),
        };

        var jsonReply = await _api.AddOtpEmailAsync(userId, json, caller);
        var grpcError = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.AddOTPEmailAuthenticatorAsync(new AddOTPEmailAuthenticatorRequest { UserId = userId, Email = email },
                caller is null ? new Metadata() : await _api.AuthAsync(caller)));

        var (expectedCode, expectedId) = ExpectedErrors[name];
        Assert.Equal(expectedCode, grpcError.StatusCode);
        Assert.Equal((int)expectedCode, (int)jsonReply.ErrorCode());
        Assert.Equal(jsonReply.Json["message"]!.GetValue<string>(), grpcError.Status.Detail);
        var detail = grpcError.GetRpcStatus()!.Details.Single().Unpack<ZitadelErrorDetail>();
        Assert.Equal(expectedId, detail.Id);
        Assert.Equal(expectedId, jsonReply.Json["details"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(jsonReply.Json["details"]![0]!["message"]!.GetValue<string>(), detail.Message);
    }

    [Fact]
    public async Task TheSendLimitTellsWhenToRetry()
    {
        var client = Client(GrpcTransport.Native);
        var auth = await _api.AuthAsync();
        var userId = await _api.CreateUserAsync();
        var added = await client.AddOTPEmailAuthenticatorAsync(Add(userId, ApiClient.NewAddress(), e => e.ReturnCode = new()), auth);
        var resend = new ResendOTPEmailCodeRequest { UserId = userId, OtpEmailId = added.OtpEmailId, ReturnCode = new() };
        for (var i = 0; i < 4; i++)
        {
            await client.ResendOTPEmailCodeAsync(resend, auth);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ResendOTPEmailCodeAsync(resend, auth).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.InRange(int.Parse(error.Trailers.GetValue("retry-after")!), 3000, 3600);
    }

    private UserService.UserServiceClient Client(GrpcTransport transport) => GrpcClients.Create(fixture.App, _api.Http, transport);

    private static AddOTPEmailAuthenticatorRequest Add(string userId, string address, Action<SetEmail> mode)
    {
        var email = new SetEmail { Address = address };
        mode(email);
        return new AddOTPEmailAuthenticatorRequest { UserId = userId, Email = email };
    }

    private static SetEmail Email(string address, bool? verified = null, string? template = null)
    {
        var email = new SetEmail { Address = address };
        if (verified is { } value)
        {
            email.IsVerified = value;
        }

        if (template is not null)
        {
            email.SendCode = new SendEmailVerificationCode { UrlTemplate = template };
        }

        return email;
    }
}

[Collection(ApiCollection.Name)]
public sealed class UserGrpcServiceTestsOnSqlite(ApiFixture fixture) : UserGrpcServiceTests(fixture);

[Collection(PostgresApiCollection.Name)]
[Trait("Category", "Postgres")]
public sealed class UserGrpcServiceTestsOnPostgres(PostgresApiFixture fixture) : UserGrpcServiceTests(fixture);
