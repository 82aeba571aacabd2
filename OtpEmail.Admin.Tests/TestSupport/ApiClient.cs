using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// Calls the JSON door as the demo API clients do: a token from /connect/token, then JSON. Tokens
/// come from the app called, or from <paramref name="provider"/>'s app when that one is the provider.
/// </summary>
public sealed class ApiClient(HttpClient http, ApiClient? provider = null)
{
    public const string Admin = "demo-api";
    public const string Viewer = "demo-viewer";
    public const string Acme = "demo-acme";
    public const string AcmeId = "300000000000000001";
    public const string GlobexId = "300000000000000002";

    private readonly Dictionary<string, string> _tokens = [];

    public HttpClient Http => http;

    public async Task<string> TokenAsync(string clientId)
    {
        if (provider is not null)
        {
            return await provider.TokenAsync(clientId);
        }

        if (_tokens.TryGetValue(clientId, out var cached))
        {
            return cached;
        }

        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientId + "-secret",
        }));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>();
        lock (_tokens)
        {
            _tokens[clientId] = token;
        }

        return token;
    }

    public Task<Reply> PostAsync(string path, string json, string? as_ = Admin) => SendAsync(HttpMethod.Post, path, json, as_);

    /// <summary>A POST with an <c>Idempotency-Key</c> header.</summary>
    public Task<Reply> PostIdempotentAsync(string path, string body, string idempotencyKey, string contentType = "application/json", string? as_ = Admin) =>
        SendAsync(HttpMethod.Post, path, body, as_, contentType, idempotencyKey);

    public Task<Reply> GetAsync(string path, string? as_ = Admin) => SendAsync(HttpMethod.Get, path, null, as_);

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? json, string? as_ = Admin, string contentType = "application/json", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        if (as_ is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(as_));
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, text, response.Content.Headers.ContentType?.MediaType, response.Headers);
    }

    /// <summary>Creates a user in the organization and returns its id.</summary>
    public async Task<string> CreateUserAsync(string orgId = AcmeId, string? username = null)
    {
        username ??= "u" + Guid.NewGuid().ToString("N")[..12];
        var reply = await PostAsync("/v3alpha/users", JsonSerializer.Serialize(new
        {
            organization = new { orgId },
            user = new { username, givenName = "Test", familyName = "User", contact = new { email = new { address = username + "@example.com" } } },
        }));
        Assert.Equal(200, reply.Status);
        return reply.Json["userId"]!.GetValue<string>();
    }

    /// <summary>Adds an OTP email; <paramref name="email"/> is the request's <c>email</c> (see <see cref="Json"/>).</summary>
    public Task<Reply> AddOtpEmailAsync(string userId, object email, string? as_ = Admin) =>
        PostAsync($"/v3alpha/users/{userId}/otp_email", Json.Of(new { email }), as_);

    /// <summary>A new user with a pending authenticator added in return-code mode: its ids and code.</summary>
    public async Task<(string UserId, string OtpId, string Code)> AddReturningCodeAsync(string? address = null)
    {
        var userId = await CreateUserAsync();
        var added = await AddOtpEmailAsync(userId, Json.ReturnCode(address ?? NewAddress()));
        Assert.Equal(200, added.Status);
        return (userId, added.Json["otpEmailId"]!.GetValue<string>(), added.Json["verificationCode"]!.GetValue<string>());
    }

    /// <summary>A new user with a pending authenticator added in send-code mode (its mail queued): the user's id and the address.</summary>
    public async Task<(string UserId, string Address)> AddSendingCodeAsync()
    {
        var userId = await CreateUserAsync();
        var address = NewAddress();
        Assert.Equal(200, (await AddOtpEmailAsync(userId, Json.SendCode(address))).Status);
        return (userId, address);
    }

    public Task<Reply> VerifyAsync(string userId, string otpId, string? code, string? as_ = Admin) =>
        PostAsync($"/v3alpha/users/{userId}/otp_email/{otpId}/verify", Json.Of(new { code }), as_);

    /// <summary>Resends a code; <paramref name="body"/> defaults to <c>{"returnCode":{}}</c>.</summary>
    public Task<Reply> ResendAsync(string userId, string otpId, object? body = null, string? as_ = Admin) =>
        PostAsync($"/v3alpha/users/{userId}/otp_email/{otpId}/_resend", Json.Of(body ?? new { returnCode = new { } }), as_);

    public Task<Reply> RemoveAsync(string userId, string otpId, string? as_ = Admin) =>
        SendAsync(HttpMethod.Delete, $"/v3alpha/users/{userId}/otp_email/{otpId}", null, as_);

    /// <summary>Whether the user's authenticator is ready, as GetUser reports it.</summary>
    public async Task<bool> IsVerifiedAsync(string userId, string otpId)
    {
        var user = await GetAsync($"/v3alpha/users/{userId}");
        return user.Json["user"]!["authenticators"]!["otpEmail"]!.AsArray()
            .Single(a => a!["otpEmailId"]!.GetValue<string>() == otpId)!["isVerified"]!.GetValue<bool>();
    }

    public static string NewAddress() => $"otp-{Guid.NewGuid():N}@example.com";
}

public sealed record Reply(int Status, string Body, string? MediaType, HttpResponseHeaders Headers)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("Empty body");

    /// <summary>Asserts the contract's error body and returns its gRPC code.</summary>
    public ErrorCode ErrorCode()
    {
        Assert.Equal("application/json", MediaType);
        var json = Json;
        var code = json["code"]!.GetValue<int>();
        var detail = json["details"]![0]!;
        Assert.Equal("type.googleapis.com/zitadel.v1.ErrorDetail", detail["@type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(detail["id"]!.GetValue<string>()));
        Assert.Contains(detail["id"]!.GetValue<string>(), json["message"]!.GetValue<string>());
        Assert.DoesNotContain("   at ", Body, StringComparison.Ordinal); // never a stack trace
        return (ErrorCode)code;
    }

    public override string ToString() => $"{Status} {Body}";
}

/// <summary>
/// Small builders for request JSON as a client writes it (camelCase names from the anonymous
/// objects): <c>Json.Of(new { email = Json.ReturnCode(address) })</c>.
/// </summary>
public static class Json
{
    public static string Of(object value) => JsonSerializer.Serialize(value);

    public static object SendCode(string address, string? template = null) =>
        new { address, sendCode = template is null ? new { } : (object)new { urlTemplate = template } };

    public static object ReturnCode(string address) => new { address, returnCode = new { } };

    public static object Verified(string address) => new { address, isVerified = true };
}
