using OtpEmail.Admin.Features.Users;

namespace OtpEmail.Admin.Infrastructure.Auth.DevProvider;

/// <summary>The accounts the embedded development provider knows (see access-and-settings.md).</summary>
public static class DevAccounts
{
    public sealed record ApiClient(string ClientId, string Secret, string[] Roles, long? OrganizationId);

    public static readonly IReadOnlyList<ApiClient> ApiClients =
    [
        new("demo-api", "demo-api-secret", ["otp-admin"], null),
        new("demo-viewer", "demo-viewer-secret", ["otp-viewer"], null),
        new("demo-acme", "demo-acme-secret", ["otp-support"], DemoSeed.AcmeId),
    ];

    public static ApiClient? FindClient(string? clientId) =>
        ApiClients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
}
