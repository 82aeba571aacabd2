using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>
/// Staff sign-in: a cookie after the OpenID Connect code flow with PKCE. The cookie holds only the
/// key of a server-side session (<see cref="StaffSessionStore"/>) that ends at
/// <c>Authentication:SessionLifetime</c>, and the session follows the provider: it is checked every
/// <c>Authentication:RevalidationInterval</c>, on requests here and on open pages
/// (<see cref="StaffAuthenticationStateProvider"/>).
/// </summary>
internal static class StaffSignIn
{
    public static void Add(
        IServiceCollection services, AuthenticationBuilder authentication, AuthenticationSettings settings, AuthorizationSettings authorization, bool development)
    {
        services.AddSingleton<StaffSessionStore>();
        services.AddSingleton<StaffSessionCheck>();
        services.AddSingleton<StaffSessionGuard>();
        services.AddSingleton<IPostConfigureOptions<CookieAuthenticationOptions>, UseStaffSessionStore>();
        services.AddScoped<AuthenticationStateProvider, StaffAuthenticationStateProvider>();

        authentication
            .AddCookie(options =>
            {
                options.Cookie.Name = ".OtpEmail.Admin";
                options.CookieManager = new HostPrefixedCookies(new ChunkingCookieManager(), always: !development);
                options.Cookie.Path = "/";
                options.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always; // __Host- requires it
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = settings.SessionLifetime;
                options.SlidingExpiration = false; // an absolute lifetime: the store ends the session on time either way
                options.LoginPath = AccountEndpoints.LoginPath;
                options.AccessDeniedPath = "/access-denied";
                options.Events.OnValidatePrincipal = FollowTheProviderAsync;
            })
            .AddOpenIdConnect(options =>
            {
                // Code flow with PKCE; against the embedded provider in Development (see DevProvider).
                options.Authority = settings.Authority;
                options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                options.ClientId = settings.ClientId;
                options.ClientSecret = settings.ClientSecret;
                options.ResponseType = "code";
                options.UsePkce = true;
                options.MapInboundClaims = false;
                options.SaveTokens = true; // kept server-side: the refresh token to check back, the id token to sign out
                options.GetClaimsFromUserInfoEndpoint = false;
                options.Scope.Add("profile");
                options.Scope.Add("email");
                options.Scope.Add("roles");
                options.Scope.Add("offline_access");
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = authorization.RoleClaim;
                options.Events.OnTicketReceived = EndSessionSignedInOverAsync;
            });
    }

    /// <summary>A sign-in never continues the session the browser came with: that one ends, a new one starts.</summary>
    private static Task EndSessionSignedInOverAsync(TicketReceivedContext context)
    {
        var services = context.HttpContext.RequestServices;
        var cookie = services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        return services.GetRequiredService<StaffSessionStore>().EndSessionSignedInOver(context.HttpContext, cookie);
    }

    /// <summary>On a request: a session not confirmed by the provider for a while is asked about again.</summary>
    private static async Task FollowTheProviderAsync(CookieValidatePrincipalContext context)
    {
        var guard = context.HttpContext.RequestServices.GetRequiredService<StaffSessionGuard>();
        var key = context.Principal?.FindFirst(StaffSessionStore.SessionClaim)?.Value;
        var checkedAt = StaffSessionStore.CheckedAt(context.Properties);
        if (key is null || checkedAt is null)
        {
            context.RejectPrincipal();
            return;
        }

        if (!guard.Due(key, checkedAt.Value))
        {
            return;
        }

        var current = await guard.AskAsync(key, new AuthenticationTicket(context.Principal!, context.Properties, context.Scheme.Name), context.HttpContext.RequestAborted);
        if (current is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        context.ReplacePrincipal(current);
    }
}
