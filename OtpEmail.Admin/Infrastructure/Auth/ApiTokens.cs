using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Auth;

/// <summary>
/// API clients: JWT bearer tokens from the provider, for the audience <c>Authentication:Audience</c>.
/// A missing or bad token is the contract's Unauthenticated error, never a redirect or an empty 401.
/// </summary>
internal static class ApiTokens
{
    public static void Add(AuthenticationBuilder authentication, AuthenticationSettings settings, AuthorizationSettings authorization) =>
        authentication.AddJwtBearer(options =>
        {
            options.Authority = settings.Authority;
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            options.Audience = settings.Audience;
            options.MapInboundClaims = false;
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new TokenValidationCache(new JsonWebTokenHandler { MapInboundClaims = false }, TimeProvider.System));
            options.TokenValidationParameters.NameClaimType = "sub";
            options.TokenValidationParameters.RoleClaimType = authorization.RoleClaim;
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
}
