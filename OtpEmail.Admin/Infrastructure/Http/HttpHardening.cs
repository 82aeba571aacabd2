using Microsoft.AspNetCore.CookiePolicy;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Auth.DevProvider;
using OtpEmail.Admin.Infrastructure.OpenApi;

namespace OtpEmail.Admin.Infrastructure.Http;

/// <summary>
/// What every response says about how it may be used: a Content-Security-Policy that fits Blazor
/// Server and MudBlazor (scripts only from here, the circuit's WebSocket to here, never framed),
/// no MIME sniffing, no referrer from the verification page (its URL carries a code) and only
/// same-origin ones elsewhere, nothing cached of the API (JSON, gRPC, gRPC-Web) or the verification
/// page; and outside Development, HSTS and cookies sent over HTTPS only.
/// </summary>
public static class HttpHardening
{
    /// <summary>The public page whose URL carries a code.</summary>
    public const string VerificationPagePath = "/otp-email/verify";

    public static WebApplicationBuilder AddHttpHardening(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.Configure<CookiePolicyOptions>(options =>
        {
            options.Secure = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            options.HttpOnly = HttpOnlyPolicy.Always;
            options.MinimumSameSitePolicy = SameSiteMode.Lax;
        });
        return builder;
    }

    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        var authority = app.Configuration[$"{AuthenticationSettings.Section}:{nameof(AuthenticationSettings.Authority)}"];
        var policy = ContentSecurityPolicy(Uri.TryCreate(authority, UriKind.Absolute, out var provider) ? provider.GetLeftPart(UriPartial.Authority) : null);
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                var path = context.Request.Path;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                var verificationPage = path.StartsWithSegments(VerificationPagePath);
                headers["Referrer-Policy"] = verificationPage ? "no-referrer" : "same-origin";
                // The API's answers can carry a verification code: the JSON door's, and gRPC's and gRPC-Web's
                // (every content type application/grpc*), whose HTTP headers a browser or proxy sees alike.
                if (verificationPage || path.StartsWithSegments("/v3alpha")
                    || context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
                {
                    headers.CacheControl = "no-store";
                }

                // The embedded provider's own pages (Development only) stand in for an outside provider: its
                // form_post answer submits itself with an inline script, as providers' do. So does the API
                // try-it page, also Development only.
                if (!path.StartsWithSegments(DevProviderEndpoints.ConnectPathPrefix) && !path.StartsWithSegments(ApiDocument.TryItPath))
                {
                    headers.ContentSecurityPolicy = policy;
                }

                return Task.CompletedTask;
            });
            return next();
        });
        app.UseCookiePolicy();
        return app;
    }

    private static string ContentSecurityPolicy(string? provider) => string.Join("; ",
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'", // MudBlazor positions and colours elements with style attributes
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'", // the circuit's WebSocket is same-origin
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        $"form-action 'self'{(provider is null ? "" : " " + provider)}");
}
