using Microsoft.EntityFrameworkCore;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.MailTexts;

// GET/PUT/DELETE /management/v1/text/message/verifyemailotp/{language}, and the shipped default's GET,
// as ZITADEL's management API names them (GetCustomVerifyEmailOTPMessageText, …).

/// <summary>ZITADEL's <c>MessageCustomText</c>: <see cref="Details"/> only for an organization's own text.</summary>
public sealed record MessageCustomText(
    Details? Details, string Title, string PreHeader, string Subject, string Greeting, string Text, string ButtonText, string FooterText, bool IsDefault)
{
    public static MessageCustomText Of(MessageFields fields, Details? details, bool isDefault) => new(
        details, fields.Title, fields.PreHeader, fields.Subject, fields.Greeting, fields.Text, fields.ButtonText, fields.FooterText, isDefault);
}

public sealed record GetMessageTextResponse(MessageCustomText CustomText);

/// <summary>The fields to set; one left out or empty takes the default's.</summary>
public sealed record SetMessageTextRequest
{
    public string? Title { get; init; }

    public string? PreHeader { get; init; }

    public string? Subject { get; init; }

    public string? Greeting { get; init; }

    public string? Text { get; init; }

    public string? ButtonText { get; init; }

    public string? FooterText { get; init; }

    public MessageFields Fields => new(Title ?? "", PreHeader ?? "", Subject ?? "", Greeting ?? "", Text ?? "", ButtonText ?? "", FooterText ?? "");
}

public sealed record ChangeMessageTextResponse(Details Details);

/// <summary>
/// An organization's own texts of the verification mail, per language: read by every staff role,
/// set and reset by <c>otp-admin</c> (<see cref="Permissions.OrgWrite"/>), each change an event of the
/// organization. Every field is checked as a template when saved, never at delivery.
/// </summary>
public sealed class MessageTexts(IDbContextFactory<AppDbContext> dbs, DbWriter writer, UserEventLog events, TimeProvider time)
{
    public const string TextSet = "message_text.verify_email_otp.set";
    public const string TextReset = "message_text.verify_email_otp.reset";
    public const string OrganizationHeader = "x-zitadel-orgid";

    /// <summary>The text we ship for <paramref name="language"/> (its base language's, else English's).</summary>
    public static Result<GetMessageTextResponse> Default(Caller caller, string language)
    {
        var tag = CheckRead(caller, language);
        return tag.IsSuccess
            ? new GetMessageTextResponse(MessageCustomText.Of(DefaultTexts.Fields(tag.Value), null, isDefault: true))
            : tag.Error;
    }

    /// <summary>The organization's own text in <paramref name="language"/>, else the default, marked so.</summary>
    public async Task<Result<GetMessageTextResponse>> GetAsync(Caller caller, string? organizationId, string language, CancellationToken cancellationToken)
    {
        var tag = CheckRead(caller, language);
        if (!tag.IsSuccess)
        {
            return tag.Error;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var organization = await OrganizationAsync(db, caller, organizationId, cancellationToken);
        if (!organization.IsSuccess)
        {
            return organization.Error;
        }

        var own = await db.MessageTexts.AsNoTracking().FirstOrDefaultAsync(t => t.OrganizationId == organization.Value && t.Language == tag.Value, cancellationToken);
        return new GetMessageTextResponse(own is null
            ? MessageCustomText.Of(DefaultTexts.Fields(tag.Value), null, isDefault: true)
            : MessageCustomText.Of(own.Fields, new Details(own.Sequence, own.ChangedAt, DecimalId.Format(own.OrganizationId)), isDefault: false));
    }

    public async Task<Result<ChangeMessageTextResponse>> SetAsync(
        Caller caller, string? organizationId, string language, SetMessageTextRequest request, CancellationToken cancellationToken)
    {
        var tag = CheckWrite(caller, language);
        if (!tag.IsSuccess)
        {
            return tag.Error;
        }

        var fields = request.Fields;
        if (Check(fields) is { } invalid)
        {
            return invalid;
        }

        return await writer.WriteAsync<ChangeMessageTextResponse>(async (db, ct) =>
        {
            var organization = await OrganizationAsync(db, caller, organizationId, ct);
            if (!organization.IsSuccess)
            {
                return organization.Error;
            }

            var change = await events.AppendForOrganizationAsync(db, organization.Value, TextSet, caller, new
            {
                language = tag.Value,
                fields.Title,
                fields.PreHeader,
                fields.Subject,
                fields.Greeting,
                fields.Text,
                fields.ButtonText,
                fields.FooterText,
            }, time.GetUtcNow(), ct);
            var text = await db.MessageTexts.FindAsync([organization.Value, tag.Value], ct);
            if (text is null)
            {
                text = new MessageText { OrganizationId = organization.Value, Language = tag.Value, Title = "", PreHeader = "", Subject = "", Greeting = "", Text = "", ButtonText = "", FooterText = "" };
                db.MessageTexts.Add(text);
            }

            text.Set(fields);
            (text.Sequence, text.ChangedAt) = (change.Sequence, change.OccurredAt);
            return new ChangeMessageTextResponse(change.Details());
        }, cancellationToken);
    }

    /// <summary>Back to the default: the organization's own text in the language is deleted (an event even when it had none).</summary>
    public async Task<Result<ChangeMessageTextResponse>> ResetAsync(Caller caller, string? organizationId, string language, CancellationToken cancellationToken)
    {
        var tag = CheckWrite(caller, language);
        if (!tag.IsSuccess)
        {
            return tag.Error;
        }

        return await writer.WriteAsync<ChangeMessageTextResponse>(async (db, ct) =>
        {
            var organization = await OrganizationAsync(db, caller, organizationId, ct);
            if (!organization.IsSuccess)
            {
                return organization.Error;
            }

            var change = await events.AppendForOrganizationAsync(db, organization.Value, TextReset, caller, new { language = tag.Value }, time.GetUtcNow(), ct);
            if (await db.MessageTexts.FindAsync([organization.Value, tag.Value], ct) is { } text)
            {
                db.MessageTexts.Remove(text);
            }

            return new ChangeMessageTextResponse(change.Details());
        }, cancellationToken);
    }

    /// <summary>Each field within its length and a template with known variables only; the first error names its field.</summary>
    public static AppError? Check(MessageFields fields)
    {
        foreach (var ((name, maxLength), value) in MessageFields.Limits.Zip(fields.Values))
        {
            if (value.Length > maxLength)
            {
                return AppError.Invalid("MESSAGETEXT-LENGTH", $"{name} has at most {maxLength} characters", name);
            }

            if (MessageTemplate.Parse(value, name) is { IsSuccess: false } refused)
            {
                return refused.Error;
            }
        }

        return null;
    }

    /// <summary>
    /// The organization the request is about: the <c>x-zitadel-orgid</c> header, required unless the
    /// caller sees one organization only; one the caller may act on, that exists.
    /// </summary>
    public static async Task<Result<long>> OrganizationAsync(AppDbContext db, Caller caller, string? organizationId, CancellationToken cancellationToken)
    {
        long id;
        if (string.IsNullOrWhiteSpace(organizationId))
        {
            if (caller.Organizations is not { Count: 1 } only)
            {
                return AppError.Invalid("ORGANIZATION-REQUIRED", $"The {OrganizationHeader} header is required: the caller sees several organizations", OrganizationHeader);
            }

            id = only.Single();
        }
        else if (!DecimalId.TryParse(organizationId.Trim(), out id))
        {
            return AppError.Invalid("ORGANIZATION-ID", $"The {OrganizationHeader} header must be an organization id", OrganizationHeader);
        }

        return await UserAccess.OrganizationAsync(db, caller, id, cancellationToken) is { } refused ? refused : id;
    }

    private static Result<string> CheckRead(Caller caller, string language) =>
        UserAccess.RequirePermission(caller, Permissions.UserRead) is { } denied ? denied : LanguageTag.Parse(language, "language");

    private static Result<string> CheckWrite(Caller caller, string language) =>
        UserAccess.RequirePermission(caller, Permissions.OrgWrite) is { } denied ? denied : LanguageTag.Parse(language, "language");
}
