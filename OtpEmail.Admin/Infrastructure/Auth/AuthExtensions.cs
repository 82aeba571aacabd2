using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Auth;

public static class AuthPolicies
{
    /// <summary>An API client with a valid bearer token; permissions are checked by the service.</summary>
    public const string ApiCaller = "api-caller";

    /// <summary>A signed-in staff member with one of the app's roles.</summary>
    public const string Staff = "staff";
}

public static class AuthExtensions
{
    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthenticationSettings>()
            .BindConfiguration(AuthenticationSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<AuthorizationSettings>()
            .BindConfiguration(AuthorizationSettings.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var settings = builder.Configuration.GetSection(AuthenticationSettings.Section).Get<AuthenticationSettings>() ?? new();
        var roleClaim = builder.Configuration.GetSection(AuthorizationSettings.Section).Get<AuthorizationSettings>()?.RoleClaim ?? "role";

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = ".OtpEmail.Admin";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.LoginPath = AccountEndpoints.LoginPath;
                options.AccessDeniedPath = "/access-denied";
            })
            .AddOpenIdConnect(options =>
            {
                // Code flow with PKCE; against the embedded provider in Development (see DevProvider).
                options.Authority = settings.Authority;
                options.ClientId = settings.ClientId;
                options.ClientSecret = settings.ClientSecret;
                options.ResponseType = "code";
                options.UsePkce = true;
                options.MapInboundClaims = false;
                options.SaveTokens = true; // the id token is the hint for signing out at the provider
                options.GetClaimsFromUserInfoEndpoint = false;
                options.Scope.Add("profile");
                options.Scope.Add("email");
                options.Scope.Add("roles");
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = roleClaim;
            })
            .AddJwtBearer(options =>
            {
                options.Authority = settings.Authority;
                options.Audience = settings.Audience;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "sub";
                options.TokenValidationParameters.RoleClaimType = roleClaim;
                options.Events = new JwtBearerEvents
                {
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.Headers.WWWAuthenticate = "Bearer";
                        await HttpErrors.WriteAsync(context.HttpContext, OtpError.Unauthenticated);
                    },
                    OnForbidden = context => HttpErrors.WriteAsync(context.HttpContext,
                        OtpError.Denied("AUTH-FORBIDDEN", "The caller may not use this API")),
                };
            });

        if (settings.UsesEmbeddedProvider)
        {
            builder.AddDevelopmentProvider();
        }

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.ApiCaller, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser())
            .AddPolicy(AuthPolicies.Staff, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(Roles.All));
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddSingleton<CallerFactory>();
        return builder;
    }
}

/// <summary>Turns the signed-in principal into the <see cref="Caller"/> the service checks.</summary>
public sealed class CallerFactory(IOptions<AuthorizationSettings> settings)
{
    public Caller From(System.Security.Claims.ClaimsPrincipal principal) => Caller.FromPrincipal(principal, settings.Value.RoleClaim);
}

/// <summary>Staff sign-in and sign-out: small endpoints, local redirects only, sign-out by POST with antiforgery.</summary>
public static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";

    public static void MapAccountEndpoints(this WebApplication app)
    {
        app.MapGet(LoginPath, (string? returnUrl) => Results.Challenge(
            new Microsoft.AspNetCore.Authentication.AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) },
            [OpenIdConnectDefaults.AuthenticationScheme]));
        app.MapPost(LogoutPath, ([Microsoft.AspNetCore.Mvc.FromForm] string? returnUrl) => Results.SignOut(
            new Microsoft.AspNetCore.Authentication.AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
    }

    /// <summary>Only a path on this site: never an open redirect.</summary>
    public static string LocalOrRoot(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
