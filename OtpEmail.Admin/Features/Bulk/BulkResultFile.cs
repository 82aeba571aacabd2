using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Antiforgery;
using OtpEmail.Admin.Infrastructure.Auth;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>The staff page's download: one CSV line per input row; codes only in the job's first read.</summary>
public static class BulkResultFile
{
    public const string Header = "row,outcome,otp_email_id,error_code,error_id,error_message,verification_code";

    // CsvHelper quotes what RFC 4180 needs and, with Escape, writes a cell a spreadsheet would take for a formula
    // (OWASP's CSV injection rule: one starting with =, +, -, @, tab or CR) as quoted text behind a single quote.
    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Injection = CsvInjection.Escape };

    public static string Write(IReadOnlyList<BulkRowResult> results)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, Options, leaveOpen: true))
        {
            csv.WriteHeader(Header.Split(','));
            foreach (var result in results)
            {
                var error = result.Error;
                csv.WriteField(result.Row);
                csv.WriteField(result.Outcome);
                csv.WriteField(result.OtpEmailId);
                csv.WriteField(error?.Code);
                csv.WriteField(error?.Details[0].Id);
                csv.WriteField(error?.Details[0].Message);
                csv.WriteRecord(result.VerificationCode);
            }
        }

        return text.ToString();
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
}
