using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>
/// The verification mail as texts being edited would make it, rendered by the same template the
/// outbox delivers with, for a sample user; and the same mail sent to the staff member's own address.
/// </summary>
public sealed class MailPreview(DbWriter writer, MailOutbox outbox, IdGenerator ids, TimeProvider time)
{
    /// <summary>The user a preview is written to.</summary>
    public static readonly User SampleUser = new()
    {
        Username = "ada",
        GivenName = "Ada",
        FamilyName = "Lovelace",
        DisplayName = "Ada Lovelace",
        Email = "ada@example.com",
    };

    public const string SampleCode = "K7Q2M9XD";

    private static readonly Uri SampleLink = new("https://verify.example.com/otp-email/verify?code=" + SampleCode);
    private static readonly TimeSpan SampleLifetime = TimeSpan.FromMinutes(60);

    /// <summary>The mail, or the first field that cannot be saved as it is.</summary>
    public static Result<MailBody> Render(OrganizationMailSettings organization, string language, MessageFields fields)
    {
        if (MessageTexts.Check(fields) is { } invalid)
        {
            return invalid;
        }

        return new VerificationMail().Render(Message(organization, language, fields).Content(SampleUser, SampleCode, SampleLink, SampleLifetime).Values);
    }

    /// <summary>Queues the previewed mail to <paramref name="address"/> (the signed-in staff member's own), for <c>otp-admin</c>.</summary>
    public async Task<Result<string>> SendTestAsync(Caller caller, OrganizationMailSettings organization, string language, MessageFields fields, string? address, CancellationToken cancellationToken)
    {
        if (UserAccess.RequirePermission(caller, Permissions.OrgWrite) is { } denied)
        {
            return denied;
        }

        if (EmailAddress.Check(address, "email") is { } badAddress)
        {
            return badAddress;
        }

        if (MessageTexts.Check(fields) is { } invalid)
        {
            return invalid;
        }

        var message = Message(organization, language, fields);
        var queued = await writer.WriteAsync<string>(async (db, ct) =>
        {
            var id = await MessageTexts.OrganizationAsync(db, caller, organization.OrganizationId, ct);
            if (!id.IsSuccess)
            {
                return id.Error;
            }

            var now = time.GetUtcNow();
            await outbox.EnqueueAsync(db, address!, message.SubjectAtRest(SampleUser, SampleLifetime), message.Content(SampleUser, SampleCode, SampleLink, SampleLifetime),
                now + SampleLifetime, $"mail_text_test:{ids.Next()}", ct);
            return address!;
        }, cancellationToken);
        if (queued.IsSuccess)
        {
            outbox.Notify();
        }

        return queued;
    }

    private static VerificationMessage Message(OrganizationMailSettings organization, string language, MessageFields fields) =>
        new(language, organization.Name, organization.SenderName, fields);
}
