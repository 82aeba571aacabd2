using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using OtpEmail.Admin.Infrastructure.Auth;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>The staff page's download: one CSV line per input row; codes only in the job's first read.</summary>
public static class BulkResultFile
{
    public const string Header = "row,outcome,otp_email_id,error_code,error_id,error_message,verification_code";

    public static string Write(IReadOnlyList<BulkRowResult> results)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var result in results)
        {
            var error = result.Error;
            csv.AppendJoin(',',
                result.Row.ToString(CultureInfo.InvariantCulture),
                Field(result.Outcome),
                Field(result.OtpEmailId),
                error?.Code.ToString(CultureInfo.InvariantCulture) ?? "",
                Field(error?.Details[0].Id),
                Field(error?.Details[0].Message),
                Field(result.VerificationCode)).Append("\r\n");
        }

        return csv.ToString();
    }

    public static WebApplication MapBulkResultFile(this WebApplication app)
    {
        // A POST with the antiforgery token: the first read spends the codes, which no other site may make a browser do.
        app.MapPost("/bulk/{jobId}/result.csv", async (string jobId, HttpContext http, IAntiforgery antiforgery, CallerFactory callers, BulkJobs jobs, CancellationToken cancellationToken) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.BadRequest();
            }

            var read = await jobs.ReadAsync(callers.From(http.User), jobId, cancellationToken);
            if (!read.IsSuccess || read.Value.Results is not { } results)
            {
                return Results.NotFound(); // no such job of this staff member, or not finished
            }

            http.Response.Headers.CacheControl = "no-store";
            return Results.File(Encoding.UTF8.GetBytes(Write(results)), BulkCsv.MediaType + "; charset=utf-8", $"bulk-{read.Value.JobId}-result.csv");
        }).RequireAuthorization(AuthPolicies.Staff).DisableAntiforgery().ExcludeFromDescription(); // checked above, where a failure is a plain 400
        return app;
    }

    // A cell a spreadsheet would take for a formula (OWASP's CSV injection rule) starts with a single quote, and is
    // quoted; any other cell is quoted when RFC 4180 needs it.
    private static string Field(string? text) => text switch
    {
        null or "" => "",
        ['=' or '+' or '-' or '@' or '\t' or '\r', ..] => Quoted("'" + text),
        _ when text.AsSpan().IndexOfAny(",\"\r\n") >= 0 => Quoted(text),
        _ => text,
    };

    private static string Quoted(string text) => $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
