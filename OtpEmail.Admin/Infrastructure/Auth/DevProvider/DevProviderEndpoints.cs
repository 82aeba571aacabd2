using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OtpEmail.Admin.Infrastructure.Auth.DevProvider;

/// <summary>
/// The embedded provider's endpoints: authorize (code flow), token (code and client credentials),
/// end session, and its own small login page with Email, Password and Sign in.
/// </summary>
internal static class DevProviderEndpoints
{
    /// <summary>Where the provider's protocol endpoints live (authorize, token, logout).</summary>
    public const string ConnectPathPrefix = "/connect";
    public const string AuthorizePath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string EndSessionPath = "/connect/logout";
    public const string LoginPath = "/dev-provider/login";

    private const string OpenIddictScheme = OpenIddictServerAspNetCoreDefaults.AuthenticationScheme;

    public static void Map(WebApplication app)
    {
        app.MapMethods(AuthorizePath, ["GET", "POST"], Authorize).ExcludeFromDescription().DisableAntiforgery();
        app.MapPost(TokenPath, Token).ExcludeFromDescription();
        app.MapMethods(EndSessionPath, ["GET", "POST"], (Delegate)EndSession).ExcludeFromDescription().DisableAntiforgery();
        app.MapGet(LoginPath, (HttpContext context, IAntiforgery antiforgery, DevStaffDirectory staff, string? returnUrl) =>
            LoginPage(context, antiforgery, staff, returnUrl, error: null)).ExcludeFromDescription();
        app.MapPost(LoginPath, SignIn).ExcludeFromDescription();
    }

    private static async Task<IResult> Authorize(HttpContext context, DevStaffDirectory staff, IOptions<AuthorizationSettings> authorization)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        var login = await context.AuthenticateAsync(DevProviderExtensions.LoginScheme);
        var member = login.Succeeded ? staff.Find(login.Principal.FindFirst(Claims.Subject)?.Value) : null;
        if (member is null || request.HasPromptValue(PromptValues.Login))
        {
            var parameters = context.Request.HasFormContentType ? (IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>)context.Request.Form : context.Request.Query;
            var returnUrl = context.Request.PathBase + context.Request.Path + QueryString.Create(parameters.Where(p => p.Key != Parameters.Prompt));
            return Results.Redirect($"{LoginPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        return StaffSignIn(member, request.GetScopes(), authorization.Value);
    }

    /// <summary>Tokens for a staff member as the directory has the account now (roles, organization).</summary>
    private static IResult StaffSignIn(DevAccounts.StaffMember member, IEnumerable<string> scopes, AuthorizationSettings authorization)
    {
        var principal = Principal(member.Email, member.Name, member.Roles, member.Organizations, authorization, member.Email);
        principal.SetScopes(scopes);
        principal.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(principal, authenticationScheme: OpenIddictScheme);
    }

    private static async Task<IResult> Token(
        HttpContext context, DevStaffDirectory staff, IOptions<AuthenticationSettings> settings, IOptions<AuthorizationSettings> authorization)
    {
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The code or refresh token names the staff member; the answer is the account as it is now,
            // and a disabled account gets no tokens (that is how the app's sessions learn of it).
            var redeemed = await context.AuthenticateAsync(OpenIddictScheme);
            var member = staff.Find(redeemed.Principal?.FindFirst(Claims.Subject)?.Value);
            if (member is null)
            {
                return Results.Forbid(
                    new AuthenticationProperties(new Dictionary<string, string?>
                    {
                        [OpenIddictServerAspNetCoreConstants.Properties.Error] = OpenIddictConstants.Errors.InvalidGrant,
                        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The account is disabled.",
                    }),
                    [OpenIddictScheme]);
            }

            return StaffSignIn(member, redeemed.Principal!.GetScopes(), authorization.Value);
        }

        if (!request.IsClientCredentialsGrantType() || DevAccounts.FindClient(request.ClientId) is not { } client)
        {
            return Results.Forbid(authenticationSchemes: [OpenIddictScheme]);
        }

        var principal = Principal(client.ClientId, client.ClientId, client.Roles, client.Organizations, authorization.Value);
        principal.SetResources(settings.Value.Audience);
        principal.SetScopes(request.GetScopes());
        principal.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(principal, authenticationScheme: OpenIddictScheme);
    }

    /// <summary>Who the provider vouches for: subject, name, email (staff), roles and organizations (<c>*</c>: all).</summary>
    private static ClaimsPrincipal Principal(string subject, string name, string[] roles, string organizations, AuthorizationSettings claims, string? email = null)
    {
        var identity = new ClaimsIdentity(OpenIddictScheme, Claims.Name, claims.RoleClaim);
        identity.AddClaim(new Claim(Claims.Subject, subject));
        identity.AddClaim(new Claim(Claims.Name, name));
        if (email is not null)
        {
            identity.AddClaim(new Claim(Claims.Email, email));
        }

        identity.AddClaims(roles.Select(role => new Claim(claims.RoleClaim, role)));
        identity.AddClaim(new Claim(claims.OrganizationClaim, organizations));
        return new ClaimsPrincipal(identity);
    }

    private static async Task<IResult> EndSession(HttpContext context)
    {
        await context.SignOutAsync(DevProviderExtensions.LoginScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/" }, [OpenIddictScheme]);
    }

    private static async Task<IResult> SignIn(HttpContext context, IAntiforgery antiforgery, DevStaffDirectory staff,
        [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl)
    {
        if (staff.SignIn(email, password) is not { } member)
        {
            return LoginPage(context, antiforgery, staff, returnUrl, "Email or password is wrong.");
        }

        var identity = new ClaimsIdentity(DevProviderExtensions.LoginScheme, Claims.Name, null);
        identity.AddClaim(new Claim(Claims.Subject, member.Email));
        identity.AddClaim(new Claim(Claims.Name, member.Name));
        await context.SignInAsync(DevProviderExtensions.LoginScheme, new ClaimsPrincipal(identity));
        return Results.LocalRedirect(AccountEndpoints.LocalOrRoot(returnUrl));
    }

    private static IResult LoginPage(HttpContext context, IAntiforgery antiforgery, DevStaffDirectory staff, string? returnUrl, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        var message = error is null ? "" : $"""<p class="error" role="alert">{E(error)}</p>""";
        var accounts = string.Join("", staff.All.Where(s => !s.Disabled).Select(s => $"<li><code>{E(s.Email)}</code> ({E(string.Join(", ", s.Roles))})</li>"));
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sign in · development provider</title>
              <style>
                body { font-family: Roboto, Helvetica, Arial, sans-serif; background: #f5f5f5; margin: 0; }
                main { max-width: 24rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 2px 8px rgba(0,0,0,.15); }
                h1 { font-size: 1.4rem; margin-top: 0; }
                label { display: block; margin: 1rem 0 .25rem; font-weight: 500; }
                input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #bdbdbd; border-radius: 4px; }
                input:focus, button:focus { outline: 3px solid #594ae2; outline-offset: 2px; }
                button { margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; background: #594ae2; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
                .error { color: #b71c1c; }
                .note { color: #555; font-size: .85rem; margin-top: 1.5rem; }
              </style>
            </head>
            <body>
            <main>
              <h1>Sign in to OtpEmail.Admin</h1>
              {{message}}
              <form method="post" action="{{E(LoginPath)}}">
                <input type="hidden" name="{{E(tokens.FormFieldName)}}" value="{{E(tokens.RequestToken)}}">
                <input type="hidden" name="returnUrl" value="{{E(returnUrl)}}">
                <label for="email">Email</label>
                <input id="email" name="email" type="email" autocomplete="username" required autofocus>
                <label for="password">Password</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required>
                <button type="submit">Sign in</button>
              </form>
              <div class="note">Development provider. Demo staff (password <code>demo</code>):<ul>{{accounts}}</ul></div>
            </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: error is null ? 200 : 400);
    }
}
