using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OtpEmail.Admin.Infrastructure.Auth.DevProvider;

/// <summary>
/// An OpenID Connect provider inside the app, for Development only, so that API tokens (and staff
/// sign-in) work on a fresh machine without any outside service. Its issuer is
/// <c>App:PublicBaseUrl</c>; the JWT bearer handler trusts its signing key directly.
/// </summary>
public static class DevProviderExtensions
{
    public const string TokenPath = "/connect/token";

    public static void AddDevelopmentProvider(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "Setting 'Authentication:Authority' is missing: the embedded OpenID Connect provider runs only in Development. Set the production provider's issuer URL.");
        }

        var store = new DevIdentityStore();
        var signingKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };
        var issuer = DevIssuer(builder.Configuration);

        builder.Services.AddSingleton(store);
        builder.Services.AddDbContext<DevIdentityDbContext>(options =>
        {
            options.UseSqlite(store.ConnectionString);
            options.UseOpenIddict();
        });

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DevIdentityDbContext>())
            .AddServer(options =>
            {
                options.SetIssuer(issuer);
                options.SetTokenEndpointUris(TokenPath.TrimStart('/'));
                options.AllowClientCredentialsFlow();
                options.AddSigningKey(signingKey);
                options.AddEphemeralEncryptionKey();
                options.DisableAccessTokenEncryption();
                options.SetAccessTokenLifetime(TimeSpan.FromHours(1));
                options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
                options.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });

        // API tokens from the embedded provider are checked against its key, in process.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.Authority = null;
            options.TokenValidationParameters.ValidIssuer = issuer.AbsoluteUri;
            options.TokenValidationParameters.IssuerSigningKey = signingKey;
        });
    }

    public static async Task InitializeDevelopmentProviderAsync(this IServiceProvider services)
    {
        var store = services.GetService<DevIdentityStore>();
        if (store is null)
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<DevIdentityDbContext>();
        await db.Database.EnsureCreatedAsync();

        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        foreach (var client in DevAccounts.ApiClients)
        {
            await applications.CreateAsync(new OpenIddictApplicationDescriptor
            {
                ClientId = client.ClientId,
                ClientSecret = client.Secret,
                ClientType = ClientTypes.Confidential,
                DisplayName = client.ClientId,
                Permissions = { OpenIddictConstants.Permissions.Endpoints.Token, OpenIddictConstants.Permissions.GrantTypes.ClientCredentials },
            });
        }
    }

    public static void MapDevelopmentProvider(this WebApplication app)
    {
        if (app.Services.GetService<DevIdentityStore>() is null)
        {
            return;
        }

        app.MapPost(TokenPath, IssueToken).ExcludeFromDescription();
    }

    private static IResult IssueToken(HttpContext context, IOptions<AuthenticationSettings> settings, IOptions<AuthorizationSettings> authorization)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        if (!request.IsClientCredentialsGrantType() || DevAccounts.FindClient(request.ClientId) is not { } client)
        {
            return Results.Forbid(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var roleClaim = authorization.Value.RoleClaim;
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, roleClaim);
        identity.AddClaim(new Claim(Claims.Subject, client.ClientId));
        identity.AddClaim(new Claim(Claims.Name, client.ClientId));
        identity.AddClaims(client.Roles.Select(role => new Claim(roleClaim, role)));
        if (client.OrganizationId is { } org)
        {
            identity.AddClaim(new Claim(Caller.OrganizationClaim, org.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var principal = new ClaimsPrincipal(identity);
        principal.SetResources(settings.Value.Audience);
        principal.SetScopes(request.GetScopes());
        principal.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static Uri DevIssuer(IConfiguration configuration)
    {
        var publicBaseUrl = configuration[$"{AppSettings.Section}:{nameof(AppSettings.PublicBaseUrl)}"];
        return Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var uri)
            ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/")
            : throw new InvalidOperationException("Setting 'App:PublicBaseUrl' is missing or not an absolute URL; the embedded provider uses it as its issuer.");
    }

    /// <summary>Keeps the in-memory database alive: SQLite drops it when its last connection closes.</summary>
    internal sealed class DevIdentityStore : IDisposable
    {
        private readonly SqliteConnection _keepAlive;

        public DevIdentityStore()
        {
            ConnectionString = $"Data Source=otpemail-dev-identity-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
            _keepAlive = new SqliteConnection(ConnectionString);
            _keepAlive.Open();
        }

        public string ConnectionString { get; }

        public void Dispose() => _keepAlive.Dispose();
    }
}
