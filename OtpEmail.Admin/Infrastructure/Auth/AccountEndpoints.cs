using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>Staff sign-in and sign-out: small endpoints, local redirects only, sign-out by POST with antiforgery.</summary>
public static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";

    public static void MapAccountEndpoints(this WebApplication app)
    {
        app.MapGet(LoginPath, (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) },
            [OpenIdConnectDefaults.AuthenticationScheme]));
        app.MapPost(LogoutPath, ([FromForm] string? returnUrl) => Results.SignOut(
            new AuthenticationProperties { RedirectUri = LocalOrRoot(returnUrl) },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
    }

    /// <summary>
    /// Only a path on this site, else the start page: never an open redirect. The framework's check
    /// also refuses control characters, which browsers drop (<c>/%09/evil.example</c> is <c>//evil.example</c>).
    /// </summary>
    public static string LocalOrRoot(string? url) => RedirectHttpResult.IsLocalUrl(url) ? url! : "/";
}
