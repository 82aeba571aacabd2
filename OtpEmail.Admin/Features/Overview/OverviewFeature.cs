using System.Globalization;
using System.Text;
using CsvHelper;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.OtpEmail;
using OtpEmail.Admin.Infrastructure.Auth;

namespace OtpEmail.Admin.Features.Overview;

/// <summary>The overview: enrolment, activity and mail at a glance, stale enrolments to chase, bulk jobs.</summary>
public static class OverviewFeature
{
    public const string StaleCsvPath = "/overview/stale-enrolments.csv";

    public static WebApplicationBuilder AddOverview(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OverviewService>();
        return builder;
    }

    /// <summary>The stale enrolments the caller may see, as CSV (no code or secret is in them: a plain GET).</summary>
    public static WebApplication MapOverviewExport(this WebApplication app)
    {
        app.MapGet(StaleCsvPath, async (HttpContext http, CallerFactory callers, StaleEnrolments stale, CancellationToken cancellationToken) =>
        {
            var caller = callers.From(http.User);
            var text = new StringWriter(CultureInfo.InvariantCulture);
            using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default with { Injection = CsvInjection.Escape }, leaveOpen: true))
            {
                csv.WriteHeader(["user_id", "user", "organization_id", "otp_email_id", "address", "added_at", "code_expired_at"]);
                await foreach (var row in stale.AllAsync(caller, cancellationToken))
                {
                    csv.WriteField(row.UserId);
                    csv.WriteField(row.UserName);
                    csv.WriteField(DecimalId.Format(row.OrganizationId));
                    csv.WriteField(row.OtpEmailId);
                    csv.WriteField(row.Address);
                    csv.WriteField(row.AddedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                    csv.WriteRecord(row.CodeExpiredAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", "stale-enrolments.csv");
        }).RequireAuthorization(AuthPolicies.Staff).ExcludeFromDescription();
        return app;
    }
}
