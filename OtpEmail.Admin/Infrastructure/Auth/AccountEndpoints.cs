using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
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

    /// <summary>Only a path on this site: never an open redirect.</summary>
    public static string LocalOrRoot(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
