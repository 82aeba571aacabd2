using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>
/// API clients: JWT bearer tokens from the provider, for the audience <c>Authentication:Audience</c>.
/// A missing or bad token is the contract's Unauthenticated error, never a redirect or an empty 401.
/// Only access tokens pass: an ID token (another <c>typ</c>, or ID-token claims) is refused even when
/// its audience names the API.
/// </summary>
internal static class ApiTokens
{
    /// <summary>The <c>typ</c> headers of an access token (RFC 9068, and plain JWT for providers that send no type of their own).</summary>
    private static readonly string[] AccessTokenTypes = ["at+jwt", "application/at+jwt", "JWT"];

    /// <summary>The types only an access token carries (RFC 9068); a plain <c>JWT</c> may be an ID token.</summary>
    private static readonly string[] Rfc9068Types = AccessTokenTypes[..2];

    /// <summary>Claims only ID tokens carry (OpenID Connect Core 1.0, 2 and 3.3.2.11).</summary>
    private static readonly string[] IdTokenClaims = ["nonce", "at_hash", "c_hash"];

    public static void Add(AuthenticationBuilder authentication, AuthenticationSettings settings, AuthorizationSettings authorization) =>
        authentication.AddJwtBearer(options =>
        {
            options.Authority = settings.Authority;
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            options.Audience = settings.Audience;
            options.MapInboundClaims = false;
            options.SaveToken = false; // nothing reads the bearer token back from the request's authentication properties
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new TokenValidationCache(new JsonWebTokenHandler { MapInboundClaims = false }, TimeProvider.System));
            options.TokenValidationParameters.NameClaimType = "sub";
            options.TokenValidationParameters.RoleClaimType = authorization.RoleClaim;
            options.TokenValidationParameters.ValidTypes = AccessTokenTypes;
            options.TokenValidationParameters.TypeValidator = ValidateType; // the same list, without regard to case (RFC 7515 4.1.9)
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    if (IdTokenClaims.Any(claim => context.Principal?.HasClaim(c => c.Type == claim) == true) || ForTheStaffApp(context))
                    {
                        context.Fail("An ID token is not an access token.");
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await HttpErrors.WriteAsync(context.HttpContext, AppError.Unauthenticated);
                },
                OnForbidden = context => HttpErrors.WriteAsync(context.HttpContext,
                    AppError.Denied("AUTH-FORBIDDEN", "The caller may not use this API")),
            };
        });

    // An ID token's audience is the client it was issued to (OpenID Connect Core 2): a plain-JWT token
    // for the staff sign-in's client is one, whatever else its audience names. RFC 9068's at+jwt is not.
    private static bool ForTheStaffApp(Microsoft.AspNetCore.Authentication.JwtBearer.TokenValidatedContext context)
    {
        if (context.SecurityToken is not JsonWebToken token || Rfc9068Types.Contains(token.Typ, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        var staffApp = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>()
            .Get(OpenIdConnectDefaults.AuthenticationScheme).ClientId;
        return !string.IsNullOrEmpty(staffApp) && token.Audiences.Contains(staffApp, StringComparer.Ordinal);
    }

    private static string ValidateType(string? type, SecurityToken token, TokenValidationParameters parameters) =>
        type is not null && parameters.ValidTypes.Contains(type, StringComparer.OrdinalIgnoreCase)
            ? type
            : throw new SecurityTokenInvalidTypeException($"The token's type '{type}' is not an access token's.") { InvalidType = type };
}
