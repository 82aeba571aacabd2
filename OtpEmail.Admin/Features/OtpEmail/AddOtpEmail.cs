using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;

namespace OtpEmail.Admin.Features.OtpEmail;

// POST /v3alpha/users/{userId}/otp_email · AddOTPEmailAuthenticator. Every member is nullable:
// presence and validity are rules of the handler, not of the parser.

public sealed record AddOtpEmailRequest
{
    public SetEmail? Email { get; init; }
}

public sealed record SetEmail
{
    public string? Address { get; init; }

    public SendEmailVerificationCode? SendCode { get; init; }

    public ReturnEmailVerificationCode? ReturnCode { get; init; }

    public bool? IsVerified { get; init; }

    /// <summary>The request a form makes: the address, verified the way <paramref name="mode"/> says.</summary>
    public static SetEmail For(string? address, VerificationMode mode, string? template = null) => new()
    {
        Address = address?.Trim(),
        SendCode = mode.SendCode(template),
        ReturnCode = mode.ReturnCode(),
        IsVerified = mode.IsVerified(),
    };
}

public sealed record AddOtpEmailResponse(Details Details, string OtpEmailId, string? VerificationCode);

/// <summary>
/// Adds an OTP Email authenticator to a user: pending with a code (mailed or returned) or ready at
/// once, never twice for one address of one user.
/// </summary>
public sealed partial class AddOtpEmailHandler(
    DbWriter writer, IdGenerator ids, UserEventLog events, TimeProvider time, CodeIssuer issuer, MailOutbox outbox, EnrolmentCounts counts, OtpEmailMetrics metrics,
    IOptions<OtpSettings> otp,
    ILogger<AddOtpEmailHandler> logger)
{
    public async Task<Result<AddOtpEmailResponse>> HandleAsync(Caller caller, string userId, AddOtpEmailRequest request, CancellationToken cancellationToken)
    {
        var add = Prepare(caller, userId, request);
        if (!add.IsSuccess)
        {
            return add.Error;
        }

        var added = await writer.WriteAsync(add.Value.StageAsync, add.Value.Reads, cancellationToken);
        Committed(caller, add.Value, added);
        return added;
    }

    /// <summary>
    /// An add checked as far as it can be without the database, ready to stage; for callers that stage it
    /// with more (a bulk row's outcome) and then call <see cref="Committed"/>.
    /// </summary>
    internal Result<Addition> Prepare(Caller caller, string userId, AddOtpEmailRequest request)
    {
        var id = UserAccess.Check(caller, Permissions.UserCredentialWrite, userId);
        if (!id.IsSuccess)
        {
            return id.Error;
        }

        if (request.Email is not { } email)
        {
            return AppError.Invalid("OTPEMAIL-EMAIL-REQUIRED", "email is required", "email");
        }

        if (EmailAddress.Check(email.Address, OtpEmailErrors.AddressField) is { } badAddress)
        {
            return badAddress;
        }

        var verification = Verification.Choose(email.SendCode, email.ReturnCode, email.IsVerified);
        if (!verification.IsSuccess)
        {
            return verification.Error;
        }

        var address = email.Address!;
        var normalized = EmailAddress.Normalize(address);
        var target = (TargetQuery, TargetArguments(id.Value, normalized));
        var reads = new ReadAhead([id.Value], target);
        if (verification.Value.Mode == VerificationMode.SendCode)
        {
            var mailbox = EmailAddress.Mailbox(address); // a mail also reads its mailbox's count
            reads = new ReadAhead([id.Value, CodeIssuer.RecipientKey(mailbox)], target, CodeIssuer.RecipientCountRead(mailbox));
        }

        return new Addition(
            id.Value, verification.Value, reads,
            (db, precondition, ct) => StageAsync(db, caller, id.Value, address, normalized, verification.Value, precondition, ct));
    }

    /// <summary>What follows a committed add: the mail dispatcher woken, the count, the log line.</summary>
    internal void Committed(Caller caller, Addition add, Result<AddOtpEmailResponse> added)
    {
        if (added.IsSuccess)
        {
            if (add.Verification.Mode == VerificationMode.SendCode)
            {
                outbox.Notify();
            }

            metrics.Added(add.Verification);
            LogAdded(logger, added.Value.OtpEmailId, add.UserId.ToString(), caller.Subject, add.Verification.Name);
        }
    }

    /// <param name="Reads">What its stage reads first: the user and what it has (and for a mail, the mailbox's count).</param>
    internal sealed record Addition(
        UserId UserId, Verification Verification, ReadAhead Reads, Func<AppDbContext, Func<AppError?>?, CancellationToken, Task<Staged<AddOtpEmailResponse>>> Stage)
    {
        public Task<Staged<AddOtpEmailResponse>> StageAsync(AppDbContext db, CancellationToken cancellationToken) => Stage(db, null, cancellationToken);

        /// <summary>
        /// Staged only if <paramref name="precondition"/>, asked right after the add's first read and before
        /// it changes anything, finds nothing wrong; that read carries a question the caller asked just
        /// before (<see cref="PreparedQuery.AskAsync"/>), so both take one round trip.
        /// </summary>
        public Task<Staged<AddOtpEmailResponse>> StageAsync(AppDbContext db, Func<AppError?> precondition, CancellationToken cancellationToken) =>
            Stage(db, precondition, cancellationToken);
    }

    private async Task<Staged<AddOtpEmailResponse>> StageAsync(
        AppDbContext db, Caller caller, UserId userId, string address, string normalized, Verification verification, Func<AppError?>? precondition,
        CancellationToken cancellationToken)
    {
        // One round trip: the user, how many live authenticators it has, whether one has this address,
        // the sequence of its last event (for the next one) and its enrolment counts (for the overview's).
        var target = await ReadTargetAsync(db, TargetArguments(userId, normalized), cancellationToken);
        if (precondition?.Invoke() is { } unmet)
        {
            return unmet;
        }

        var found = UserAccess.Admit(caller, target?.User);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var user = found.Value;
        if (target!.Taken)
        {
            return OtpEmailErrors.AlreadyRegistered;
        }

        if (target.Live >= otp.Value.MaxAuthenticatorsPerUser)
        {
            return AppError.Precondition("OTPEMAIL-TOO-MANY",
                $"A user may have at most {otp.Value.MaxAuthenticatorsPerUser} OTP Email authenticators; remove one first");
        }

        var now = time.GetUtcNow();
        var ready = verification.Mode == VerificationMode.AlreadyVerified;
        var authenticator = new OtpEmailAuthenticator
        {
            Id = ids.Next(),
            UserId = user.Id,
            Address = address,
            NormalizedAddress = normalized,
            State = ready ? OtpEmailState.Ready : OtpEmailState.Pending,
            CreatedAt = now,
            CreatedBy = caller.Subject,
            VerifiedAt = ready ? now : null,
        };

        string? code = null;
        if (!ready)
        {
            var issued = await issuer.IssueAsync(db, user, authenticator, verification, now, cancellationToken);
            if (!issued.IsSuccess)
            {
                return issued.Error;
            }

            code = issued.Value;
        }

        // Stored at once rather than tracked (see PreparedInsert): a later add in the same batch reads it.
        await Insert.ExecuteAsync(db, authenticator, cancellationToken);
        await counts.AddedAsync(db, user, ready, target.Enrolled, now, cancellationToken);
        var otpEmailId = DecimalId.Format(authenticator.Id);
        var addition = await events.AppendAsync(
            db, user, OtpEmailEvents.Added, caller, new { otpEmailId, Address = address, Mode = verification.Name }, now, cancellationToken, target.LastEvent ?? 0);
        return new AddOtpEmailResponse(addition.Details(), otpEmailId, verification.Mode == VerificationMode.ReturnCode ? code : null);
    }

    private static readonly PreparedInsert<OtpEmailAuthenticator> Insert = new();

    private sealed record AddTarget(User User, int Live, bool Taken, long? LastEvent, UserEnrolment Enrolled);

    // Live counts at most up to the cap, so the cost of the check does not grow with the user's authenticators.
    private static readonly PreparedQuery TargetQuery = new(
        (db, arguments) => db.Set<User>().AsNoTracking()
            .Where(UserAccess.Live)
            .Where(u => u.Id == (long)arguments[0])
            .Select(u => new
            {
                u.Id,
                u.OrganizationId,
                u.Username,
                u.GivenName,
                u.FamilyName,
                u.DisplayName,
                u.Email,
                u.EmailVerified,
                u.State,
                Live = db.Set<OtpEmailAuthenticator>().Where(a => a.UserId == u.Id && a.State != OtpEmailState.Removed).Take((int)arguments[2]).Count(),
                Taken = db.Set<OtpEmailAuthenticator>()
                    .Any(a => a.UserId == u.Id && a.NormalizedAddress == (string)arguments[1] && a.State != OtpEmailState.Removed),
                LastEvent = db.Set<UserEvent>().Where(e => e.UserId == u.Id).Max(e => (long?)e.Sequence),
                u.PreferredLanguage,
                Ready = db.Set<UserEnrolment>().Where(e => e.UserId == u.Id).Select(e => (int?)e.Ready).FirstOrDefault(),
                Pending = db.Set<UserEnrolment>().Where(e => e.UserId == u.Id).Select(e => (int?)e.Pending).FirstOrDefault(),
            })
            .Take(1),
        -1L, "\u0001", -3);

    private object[] TargetArguments(UserId userId, string normalized) => [userId.Value, normalized, otp.Value.MaxAuthenticatorsPerUser];

    private static async Task<AddTarget?> ReadTargetAsync(AppDbContext db, object[] arguments, CancellationToken cancellationToken)
    {
        await using var row = await TargetQuery.ExecuteReaderAsync(db, arguments, cancellationToken);
        if (!await row.ReadAsync(cancellationToken))
        {
            return null;
        }

        var user = new User
        {
            Id = row.GetInt64(0),
            OrganizationId = row.GetInt64(1),
            Username = row.GetString(2),
            GivenName = row.GetString(3),
            FamilyName = row.GetString(4),
            DisplayName = row.GetString(5),
            Email = row.GetString(6),
            EmailVerified = row.GetBoolean(7),
            State = (UserState)row.GetInt32(8),
            PreferredLanguage = row.IsDBNull(12) ? null : row.GetString(12),
        };
        var enrolled = new UserEnrolment { UserId = user.Id, Ready = row.IsDBNull(13) ? 0 : row.GetInt32(13), Pending = row.IsDBNull(14) ? 0 : row.GetInt32(14) };
        return new AddTarget(user, row.GetInt32(9), row.GetBoolean(10), row.IsDBNull(11) ? null : row.GetInt64(11), enrolled);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OTP email {OtpEmailId} added to user {UserId} by {Actor} ({Mode})")]
    private static partial void LogAdded(ILogger logger, string otpEmailId, string userId, string actor, string mode);
}
