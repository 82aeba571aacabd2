using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OtpEmail.Admin.Infrastructure.Auth;

namespace OtpEmail.Admin.Tests.TestSupport;

/// <summary>
/// JWTs signed with the embedded provider's own key, shaped as a test needs them (any <c>typ</c>, any
/// claims), for the shapes the provider itself never issues (an ID token for the API's audience).
/// </summary>
public static class ProviderTokens
{
    /// <summary>
    /// A token for the demo admin client with the API's audience (and the admin app's, as an ID token
    /// has), the header's <c>typ</c> set to <paramref name="type"/> (none when null), plus <paramref name="extraClaims"/>.
    /// </summary>
    public static string Sign(AppFactory app, string? type, params (string Name, object Value)[] extraClaims)
    {
        var parameters = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var key = (RsaSecurityKey)parameters.IssuerSigningKey;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["kid"] = key.KeyId };
        if (type is not null)
        {
            header["typ"] = type;
        }

        var payload = new Dictionary<string, object>
        {
            ["iss"] = parameters.ValidIssuer,
            ["aud"] = new[] { app.Services.GetRequiredService<IOptions<AuthenticationSettings>>().Value.Audience, "otpemail-admin" },
            ["sub"] = ApiClient.Admin,
            ["client_id"] = ApiClient.Admin,
            ["role"] = "otp-admin",
            ["org_id"] = "*",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 300,
        };
        foreach (var (name, value) in extraClaims)
        {
            payload[name] = value;
        }

        var signed = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload));
        var signature = key.Rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
