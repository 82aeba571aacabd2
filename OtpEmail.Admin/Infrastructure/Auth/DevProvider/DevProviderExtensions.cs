using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OtpEmail.Admin.Infrastructure.Auth.DevProvider;

/// <summary>
/// An OpenID Connect provider inside the app, for Development only, so that staff sign-in and API
/// tokens work on a fresh machine without any outside service. Its issuer is <c>App:PublicBaseUrl</c>;
/// the app signs staff in against it like against any provider (code flow with PKCE, over loopback),
/// and the JWT bearer handler trusts its signing key directly.
/// </summary>
public static class DevProviderExtensions
{
    /// <summary>The provider's own sign-in cookie, apart from the app's.</summary>
    public const string LoginScheme = "DevProviderLogin";

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
        // A second instance that uses this one as its provider signs staff in as the same client: it needs the secret.
        var configuredSecret = builder.Configuration["Authentication:ClientSecret"];
        var adminApp = new AdminAppClient(
            DevAccounts.AdminAppClientId, string.IsNullOrWhiteSpace(configuredSecret) ? DevAccounts.NewAdminAppSecret() : configuredSecret, issuer);

        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(adminApp);
        builder.Services.AddSingleton<DevStaffDirectory>();
        builder.Services.AddDbContext<DevIdentityDbContext>(options =>
        {
            options.UseSqlite(store.ConnectionString);
            options.UseOpenIddict();
        });

        builder.Services.AddAuthentication().AddCookie(LoginScheme, options =>
        {
            options.Cookie.Name = ".OtpEmail.DevProvider";
            options.LoginPath = DevProviderEndpoints.LoginPath;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
        });

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DevIdentityDbContext>())
            .AddServer(options =>
            {
                options.SetIssuer(issuer);
                options.SetAuthorizationEndpointUris(DevProviderEndpoints.AuthorizePath.TrimStart('/'));
                options.SetTokenEndpointUris(DevProviderEndpoints.TokenPath.TrimStart('/'));
                options.SetEndSessionEndpointUris(DevProviderEndpoints.EndSessionPath.TrimStart('/'));
                options.AllowClientCredentialsFlow();
                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                options.AllowRefreshTokenFlow();
                options.AddSigningKey(signingKey);
                options.AddEphemeralEncryptionKey();
                options.DisableAccessTokenEncryption();
                options.SetAccessTokenLifetime(TimeSpan.FromHours(1));
                options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess);
                options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .DisableTransportSecurityRequirement();
            });

        // API tokens from the embedded provider are checked against its key, in process.
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.Authority = null;
            options.TokenValidationParameters.ValidIssuer = issuer.AbsoluteUri;
            options.TokenValidationParameters.IssuerSigningKey = signingKey;
        });

        // Staff sign in against it as against any provider; only plain http on loopback is allowed here.
        builder.Services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            options.Authority = issuer.AbsoluteUri;
            options.ClientId = adminApp.ClientId;
            options.ClientSecret = adminApp.Secret;
            options.RequireHttpsMetadata = issuer.Scheme == Uri.UriSchemeHttps || !issuer.IsLoopback;
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

        var adminApp = services.GetRequiredService<AdminAppClient>();
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = adminApp.ClientId,
            ClientSecret = adminApp.Secret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "OtpEmail.Admin",
            RedirectUris = { new Uri(adminApp.Origin, "signin-oidc") },
            PostLogoutRedirectUris = { new Uri(adminApp.Origin, "signout-callback-oidc") },
            Permissions =
            {
                OpenIddictConstants.Permissions.Endpoints.Authorization,
                OpenIddictConstants.Permissions.Endpoints.Token,
                OpenIddictConstants.Permissions.Endpoints.EndSession,
                OpenIddictConstants.Permissions.GrantTypes.AuthorizationCode,
                OpenIddictConstants.Permissions.GrantTypes.RefreshToken,
                OpenIddictConstants.Permissions.ResponseTypes.Code,
                OpenIddictConstants.Permissions.Scopes.Profile,
                OpenIddictConstants.Permissions.Scopes.Email,
                OpenIddictConstants.Permissions.Scopes.Roles,
            },
            Requirements = { OpenIddictConstants.Requirements.Features.ProofKeyForCodeExchange },
        });
    }

    public static void MapDevelopmentProvider(this WebApplication app)
    {
        if (app.Services.GetService<DevIdentityStore>() is not null)
        {
            DevProviderEndpoints.Map(app);
        }
    }

    private static Uri DevIssuer(IConfiguration configuration)
    {
        var publicBaseUrl = configuration[$"{AppSettings.Section}:{nameof(AppSettings.PublicBaseUrl)}"];
        return Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var uri)
            ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/")
            : throw new InvalidOperationException("Setting 'App:PublicBaseUrl' is missing or not an absolute URL; the embedded provider uses it as its issuer.");
    }

    /// <summary>This app as a client of the embedded provider.</summary>
    internal sealed record AdminAppClient(string ClientId, string Secret, Uri Origin);

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
