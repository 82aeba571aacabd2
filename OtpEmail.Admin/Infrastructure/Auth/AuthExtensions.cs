using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Infrastructure.Auth;

public static class AuthPolicies
{
    /// <summary>An API client with a valid bearer token; permissions are checked by the service.</summary>
    public const string ApiCaller = "api-caller";
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

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
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
                        await HttpErrors.WriteAsync(context.HttpContext, new OtpError(
                            ErrorCode.Unauthenticated, "AUTH-UNAUTHENTICATED", "Missing or invalid bearer token"));
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
                .RequireAuthenticatedUser());

        builder.Services.AddSingleton<CallerFactory>();
        return builder;
    }
}

/// <summary>Turns the signed-in principal into the <see cref="Caller"/> the service checks.</summary>
public sealed class CallerFactory(IOptions<AuthorizationSettings> settings)
{
    public Caller From(System.Security.Claims.ClaimsPrincipal principal) => Caller.FromPrincipal(principal, settings.Value.RoleClaim);
}
