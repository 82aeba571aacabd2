using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Features.Audit;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Email;
using OtpEmail.Admin.Infrastructure.Errors;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// Owns every rule of OTP Email authenticators (add, verify, resend, remove, and the public
/// verification link); the Blazor pages, the JSON controller and the gRPC service only call it and
/// translate.
/// </summary>
public sealed partial class OtpEmailService : IDisposable
{
    private const int MaxCodeLength = 200;
    private static readonly TimeSpan CodeWindow = TimeSpan.FromHours(1);

    /// <summary>The actor recorded when someone verifies through the emailed link.</summary>
    public static readonly Caller LinkVisitor = new("verification-link", null, new HashSet<string>(), null);

    private readonly IDbContextFactory<AppDbContext> _dbs;
    private readonly DbWriter _writer;
    private readonly IdGenerator _ids;
    private readonly TimeProvider _time;
    private readonly VerificationCodes _codes;
    private readonly MailOutbox _outbox;
    private readonly OtpSettings _otp;
    private readonly AppSettings _app;
    private readonly ILogger<OtpEmailService> _logger;
    private readonly PartitionedRateLimiter<string> _linkAttempts;

    public OtpEmailService(
        IDbContextFactory<AppDbContext> dbs,
        DbWriter writer,
        IdGenerator ids,
        TimeProvider time,
        VerificationCodes codes,
        MailOutbox outbox,
        IOptions<OtpSettings> otp,
        IOptions<AppSettings> app,
        ILogger<OtpEmailService> logger)
    {
        _dbs = dbs;
        _writer = writer;
        _ids = ids;
        _time = time;
        _codes = codes;
        _outbox = outbox;
        _otp = otp.Value;
        _app = app.Value;
        _logger = logger;
        _linkAttempts = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = _otp.LinkAttemptsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    public async Task<Result<AddOtpEmailResponse>> AddAsync(Caller caller, string userId, AddOtpEmailRequest request, CancellationToken cancellationToken)
    {
        var id = CheckUser(caller, userId);
        if (!id.IsSuccess)
        {
            return id.Error;
        }

        if (request.Email is not { } email)
        {
            return OtpError.Invalid("OTPEMAIL-EMAIL-REQUIRED", "email is required");
        }

        if (EmailAddress.Check(email.Address) is { } badAddress)
        {
            return badAddress;
        }

        var delivery = Delivery.Choose(email.SendCode, email.ReturnCode, email.IsVerified);
        if (!delivery.IsSuccess)
        {
            return delivery.Error;
        }

        return await _writer.RunAsync((db, ct) => AddAsync(db, caller, id.Value, email.Address!, delivery.Value, ct), cancellationToken);
    }

    public async Task<Result<VerifyOtpEmailResponse>> VerifyAsync(Caller caller, string userId, string otpEmailId, VerifyOtpEmailRequest request, CancellationToken cancellationToken)
    {
        var ids = CheckTarget(caller, userId, otpEmailId);
        if (!ids.IsSuccess)
        {
            return ids.Error;
        }

        if (request.Code is not { Length: > 0 and <= MaxCodeLength } code)
        {
            return OtpError.Invalid("OTPEMAIL-CODE-LENGTH", $"code is required: 1–{MaxCodeLength} characters");
        }

        return await _writer.RunAsync<VerifyOtpEmailResponse>(async (db, ct) =>
        {
            var target = await LoadAsync(db, caller, ids.Value, ct);
            if (!target.IsSuccess)
            {
                return target.Error;
            }

            var (user, authenticator) = target.Value;
            var outcome = await CheckCodeAsync(db, caller, user, authenticator, code, ct);
            return outcome.IsSuccess ? new VerifyOtpEmailResponse(outcome.Value) : outcome.Error;
        }, cancellationToken);
    }

    public async Task<Result<ResendOtpEmailCodeResponse>> ResendAsync(Caller caller, string userId, string otpEmailId, ResendOtpEmailCodeRequest request, CancellationToken cancellationToken)
    {
        var ids = CheckTarget(caller, userId, otpEmailId);
        if (!ids.IsSuccess)
        {
            return ids.Error;
        }

        var delivery = Delivery.Choose(request.SendCode, request.ReturnCode, isVerified: null);
        if (!delivery.IsSuccess)
        {
            return delivery.Error;
        }

        return await _writer.RunAsync<ResendOtpEmailCodeResponse>(async (db, ct) =>
        {
            var target = await LoadAsync(db, caller, ids.Value, ct);
            if (!target.IsSuccess)
            {
                return target.Error;
            }

            var (user, authenticator) = target.Value;
            if (authenticator.State == OtpEmailState.Ready)
            {
                return AlreadyVerified;
            }

            var now = _time.GetUtcNow();
            var issued = IssueCode(db, user, authenticator, delivery.Value, now);
            if (!issued.IsSuccess)
            {
                return issued.Error;
            }

            UserEvents.Append(db, user, UserEventTypes.OtpEmailCodeIssued, caller,
                new { OtpEmailId = Id(authenticator.Id), authenticator.Address, Mode = delivery.Value.Name }, now);
            await db.SaveChangesAsync(ct);
            AfterCommit(delivery.Value);
            LogCodeIssued(_logger, authenticator.Id, caller.Subject, delivery.Value.Name);
            return new ResendOtpEmailCodeResponse(Details.Of(user), delivery.Value.Kind == DeliveryKind.ReturnCode ? issued.Value : null);
        }, cancellationToken);
    }

    public async Task<Result<RemoveOtpEmailResponse>> RemoveAsync(Caller caller, string userId, string otpEmailId, CancellationToken cancellationToken)
    {
        var ids = CheckTarget(caller, userId, otpEmailId);
        if (!ids.IsSuccess)
        {
            return ids.Error;
        }

        return await _writer.RunAsync<RemoveOtpEmailResponse>(async (db, ct) =>
        {
            var target = await LoadAsync(db, caller, ids.Value, ct);
            if (!target.IsSuccess)
            {
                return target.Error;
            }

            var (user, authenticator) = target.Value;
            var now = _time.GetUtcNow();
            authenticator.State = OtpEmailState.Removed;
            ForgetCode(authenticator);
            UserEvents.Append(db, user, UserEventTypes.OtpEmailRemoved, caller,
                new { OtpEmailId = Id(authenticator.Id), authenticator.Address }, now);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await db.OutboxMails
                .Where(m => m.OtpEmailId == authenticator.Id && m.Status == OutboxMailStatus.Pending)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(m => m.Status, OutboxMailStatus.GivenUp)
                    .SetProperty(m => m.ProtectedBody, (string?)null)
                    .SetProperty(m => m.LastError, "the authenticator was removed"), ct);
            await transaction.CommitAsync(ct);
            LogRemoved(_logger, authenticator.Id, caller.Subject);
            return new RemoveOtpEmailResponse(Details.Of(user));
        }, cancellationToken);
    }

    /// <summary>
    /// Verifies from the emailed link: anonymous, so limited per client and answered without saying
    /// what was wrong. The code decides which of the user's pending authenticators it verifies.
    /// </summary>
    public async Task<Result<Details>> VerifyLinkAsync(string? userId, string? orgId, string? code, string client, CancellationToken cancellationToken)
    {
        var id = AdmitLink(userId, orgId, code, client);
        if (!id.IsSuccess)
        {
            return id.Error;
        }

        return await _writer.RunAsync<Details>(async (db, ct) =>
        {
            var user = await db.Users.FirstOrDefaultAsync(u => u.Id == id.Value && u.State == UserState.Active, ct);
            if (user is null || user.OrganizationId.ToString(CultureInfo.InvariantCulture) != orgId)
            {
                return LinkFailed;
            }

            var pending = await db.OtpEmails
                .Where(a => a.UserId == user.Id && a.State == OtpEmailState.Pending && a.CodeHash != null)
                .ToListAsync(ct);
            var match = pending.FirstOrDefault(a => _codes.Matches(code!, a.CodeHash));
            if (match is null)
            {
                // The link names no authenticator: a wrong code counts against each pending one.
                foreach (var authenticator in pending)
                {
                    _ = await CheckCodeAsync(db, LinkVisitor, user, authenticator, code!, ct);
                }

                return LinkFailed;
            }

            var outcome = await CheckCodeAsync(db, LinkVisitor, user, match, code!, ct);
            return outcome.IsSuccess ? outcome.Value : LinkFailed;
        }, cancellationToken);
    }

    /// <summary>
    /// What an emailed link would verify, for the page to show before the button is pressed: the
    /// address, masked (m•••@mouse.com), or null when the link does not match. Counts against the
    /// same per-client limit as verifying; changes nothing.
    /// </summary>
    public async Task<string?> PreviewLinkAsync(string? userId, string? orgId, string? code, string client, CancellationToken cancellationToken)
    {
        var id = AdmitLink(userId, orgId, code, client);
        if (!id.IsSuccess)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        await using var db = await _dbs.CreateDbContextAsync(cancellationToken);
        var pending = await db.OtpEmails.AsNoTracking()
            .Where(a => a.UserId == id.Value && a.State == OtpEmailState.Pending && a.CodeHash != null && a.CodeExpiresAt > now)
            .Join(db.Users.Where(u => u.State == UserState.Active), a => a.UserId, u => u.Id, (a, u) => new { a.Address, a.CodeHash, u.OrganizationId })
            .ToListAsync(cancellationToken);
        var match = pending.FirstOrDefault(a => a.OrganizationId.ToString(CultureInfo.InvariantCulture) == orgId && _codes.Matches(code!, a.CodeHash));
        return match is null ? null : EmailAddress.Mask(match.Address);
    }

    /// <summary>
    /// The gate of both link operations: one attempt off the client's per-minute allowance, then a
    /// link whose parts could name a user and a code at all. Returns the user id.
    /// </summary>
    private Result<long> AdmitLink(string? userId, string? orgId, string? code, string client)
    {
        using var lease = _linkAttempts.AttemptAcquire(client);
        if (!lease.IsAcquired)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            return OtpError.Exhausted("OTPEMAIL-LINK-RATE", "Too many attempts; try again later", retryAfter);
        }

        var id = UserAccess.ParseId(userId);
        return !id.IsSuccess || string.IsNullOrWhiteSpace(code) || code.Length > MaxCodeLength || string.IsNullOrEmpty(orgId)
            ? LinkFailed
            : id.Value;
    }

    private async Task<Result<AddOtpEmailResponse>> AddAsync(AppDbContext db, Caller caller, long userId, string address, Delivery delivery, CancellationToken cancellationToken)
    {
        var found = await UserAccess.FindAsync(db, caller, userId, tracked: true, cancellationToken);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var user = found.Value;
        var normalized = EmailAddress.Normalize(address);
        if (await db.OtpEmails.AnyAsync(a => a.UserId == user.Id && a.NormalizedAddress == normalized && a.State != OtpEmailState.Removed, cancellationToken))
        {
            return AlreadyRegistered;
        }

        var now = _time.GetUtcNow();
        var verified = delivery.Kind == DeliveryKind.AlreadyVerified;
        var authenticator = new OtpEmailAuthenticator
        {
            Id = _ids.Next(),
            UserId = user.Id,
            Address = address,
            NormalizedAddress = normalized,
            State = verified ? OtpEmailState.Ready : OtpEmailState.Pending,
            CreatedAt = now,
            CreatedBy = caller.Subject,
            VerifiedAt = verified ? now : null,
        };

        string? code = null;
        if (!verified)
        {
            var issued = IssueCode(db, user, authenticator, delivery, now);
            if (!issued.IsSuccess)
            {
                return issued.Error;
            }

            code = issued.Value;
        }

        db.OtpEmails.Add(authenticator);
        UserEvents.Append(db, user, UserEventTypes.OtpEmailAdded, caller,
            new { OtpEmailId = Id(authenticator.Id), Address = address, Mode = delivery.Name }, now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (DbWriter.IsUniqueViolation(e))
        {
            return AlreadyRegistered;
        }

        AfterCommit(delivery);
        LogAdded(_logger, authenticator.Id, user.Id, caller.Subject, delivery.Name);
        return new AddOtpEmailResponse(Details.Of(user), Id(authenticator.Id), delivery.Kind == DeliveryKind.ReturnCode ? code : null);
    }

    /// <summary>
    /// Checks a code against a tracked pending authenticator and saves the outcome: ready on a match;
    /// on a miss one more failed try, the code invalidated at the limit.
    /// </summary>
    private async Task<Result<Details>> CheckCodeAsync(AppDbContext db, Caller caller, User user, OtpEmailAuthenticator authenticator, string code, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (authenticator.State == OtpEmailState.Ready)
        {
            return AlreadyVerified;
        }

        if (authenticator.CodeHash is null)
        {
            return OtpError.Precondition("OTPEMAIL-CODE-INVALIDATED", "The code is no longer valid after too many wrong tries; request a new one");
        }

        if (authenticator.CodeExpiresAt <= now)
        {
            return OtpError.Precondition("OTPEMAIL-CODE-EXPIRED", "The code has expired; request a new one");
        }

        var payload = new { OtpEmailId = Id(authenticator.Id), authenticator.Address };
        if (!_codes.Matches(code, authenticator.CodeHash))
        {
            authenticator.FailedAttempts++;
            var invalidated = authenticator.FailedAttempts >= _otp.MaxFailedAttempts;
            if (invalidated)
            {
                ForgetCode(authenticator);
            }

            UserEvents.Append(db, user, UserEventTypes.OtpEmailVerificationFailed, caller,
                new { payload.OtpEmailId, payload.Address, authenticator.FailedAttempts, Invalidated = invalidated }, now);
            await db.SaveChangesAsync(cancellationToken);
            return OtpError.Invalid("OTPEMAIL-CODE-WRONG", invalidated
                ? "The code is wrong; it is now invalidated after too many wrong tries"
                : "The code is wrong");
        }

        authenticator.State = OtpEmailState.Ready;
        authenticator.VerifiedAt = now;
        ForgetCode(authenticator);
        UserEvents.Append(db, user, UserEventTypes.OtpEmailVerified, caller, payload, now);
        await db.SaveChangesAsync(cancellationToken);
        LogVerified(_logger, authenticator.Id, caller.Subject);
        return Details.Of(user);
    }

    /// <summary>
    /// Gives a pending authenticator a new code (the old one stops working) within the hourly send
    /// limit, and queues the verification mail in the same unit of work when the mode says so.
    /// </summary>
    private Result<string> IssueCode(AppDbContext db, User user, OtpEmailAuthenticator authenticator, Delivery delivery, DateTimeOffset now)
    {
        if (authenticator.CodeWindowStart is not { } start || now - start >= CodeWindow)
        {
            authenticator.CodeWindowStart = now;
            authenticator.CodesInWindow = 0;
        }

        if (authenticator.CodesInWindow >= _otp.CodesPerHour)
        {
            return OtpError.Exhausted("OTPEMAIL-SEND-LIMIT", $"At most {_otp.CodesPerHour} codes an hour may be issued for one authenticator",
                authenticator.CodeWindowStart.Value + CodeWindow - now);
        }

        var code = _codes.Generate();
        var expiresAt = now + _otp.CodeLifetime;
        if (delivery.Kind == DeliveryKind.SendCode)
        {
            var link = VerificationLink(delivery.Template, user, code);
            if (!link.IsSuccess)
            {
                return link.Error;
            }

            _outbox.Enqueue(db, authenticator.Address, VerificationMail.Subject, VerificationMail.Compose(code, link.Value, _otp.CodeLifetime),
                expiresAt, user.Id, authenticator.Id);
        }

        authenticator.CodeHash = _codes.Hash(code);
        authenticator.CodeExpiresAt = expiresAt;
        authenticator.FailedAttempts = 0;
        authenticator.CodesInWindow++;
        return code;
    }

    private static void ForgetCode(OtpEmailAuthenticator authenticator)
    {
        authenticator.CodeHash = null;
        authenticator.CodeExpiresAt = null;
    }

    private void AfterCommit(Delivery delivery)
    {
        if (delivery.Kind == DeliveryKind.SendCode)
        {
            _outbox.Notify();
        }
    }

    /// <summary>The caller's template rendered, or the app's own verification page.</summary>
    private Result<Uri> VerificationLink(UrlTemplate? template, User user, string code)
    {
        var userId = Id(user.Id);
        var orgId = Id(user.OrganizationId);
        if (template is not null)
        {
            return template.Render(userId, code, orgId);
        }

        var baseUrl = _app.PublicBaseUrl.TrimEnd('/');
        return new Uri($"{baseUrl}/otp-email/verify?userID={Uri.EscapeDataString(userId)}&code={Uri.EscapeDataString(code)}&orgID={Uri.EscapeDataString(orgId)}");
    }

    /// <summary>May the caller change credentials at all, and is the user id of a form we issue?</summary>
    private static Result<long> CheckUser(Caller caller, string userId) =>
        UserAccess.RequirePermission(caller, Permissions.UserCredentialWrite) is { } denied ? denied : UserAccess.ParseId(userId);

    private static Result<(long UserId, long OtpEmailId)> CheckTarget(Caller caller, string userId, string otpEmailId)
    {
        var user = CheckUser(caller, userId);
        if (!user.IsSuccess)
        {
            return user.Error;
        }

        var authenticator = UserAccess.ParseId(otpEmailId, "otpEmailId");
        if (!authenticator.IsSuccess)
        {
            return authenticator.Error.Code == ErrorCode.NotFound ? AuthenticatorNotFound : authenticator.Error;
        }

        return (user.Value, authenticator.Value);
    }

    /// <summary>The user (tracked, checked against the caller) and its live authenticator.</summary>
    private static async Task<Result<(User, OtpEmailAuthenticator)>> LoadAsync(AppDbContext db, Caller caller, (long UserId, long OtpEmailId) ids, CancellationToken cancellationToken)
    {
        var user = await UserAccess.FindAsync(db, caller, ids.UserId, tracked: true, cancellationToken);
        if (!user.IsSuccess)
        {
            return user.Error;
        }

        var authenticator = await db.OtpEmails.FirstOrDefaultAsync(
            a => a.Id == ids.OtpEmailId && a.UserId == ids.UserId && a.State != OtpEmailState.Removed, cancellationToken);
        return authenticator is null ? AuthenticatorNotFound : (user.Value, authenticator);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static OtpError AlreadyRegistered =>
        OtpError.Exists("OTPEMAIL-ALREADY-EXISTS", "This address is already registered as an OTP Email authenticator for the user");

    private static OtpError AlreadyVerified =>
        OtpError.Precondition("OTPEMAIL-ALREADY-VERIFIED", "The OTP Email authenticator is already verified");

    private static OtpError AuthenticatorNotFound =>
        OtpError.NotFound("OTPEMAIL-NOTFOUND", "OTP Email authenticator could not be found");

    private static OtpError LinkFailed =>
        OtpError.Invalid("OTPEMAIL-LINK-FAILED", "This link could not verify an email address. It may be wrong, used or expired");

    public void Dispose() => _linkAttempts.Dispose();

    private enum DeliveryKind
    {
        SendCode,
        ReturnCode,
        AlreadyVerified,
    }

    /// <summary>How a code reaches the user: the contract's verification oneof.</summary>
    private sealed record Delivery(DeliveryKind Kind, UrlTemplate? Template)
    {
        public string Name => Kind switch
        {
            DeliveryKind.SendCode => "send_code",
            DeliveryKind.ReturnCode => "return_code",
            _ => "is_verified",
        };

        /// <summary>
        /// At most one member (none means sendCode without a template); isVerified only as true;
        /// a template checked for form here and for its rendered link when the code is known.
        /// </summary>
        public static Result<Delivery> Choose(SendEmailVerificationCode? sendCode, ReturnEmailVerificationCode? returnCode, bool? isVerified)
        {
            var members = (sendCode is null ? 0 : 1) + (returnCode is null ? 0 : 1) + (isVerified is null ? 0 : 1);
            if (members > 1)
            {
                return OtpError.Invalid("OTPEMAIL-VERIFICATION-ONEOF", "Set only one of sendCode, returnCode and isVerified");
            }

            if (isVerified is false)
            {
                return OtpError.Invalid("OTPEMAIL-ISVERIFIED-FALSE", "email.isVerified must be true when present");
            }

            if (isVerified is true)
            {
                return new Delivery(DeliveryKind.AlreadyVerified, null);
            }

            if (returnCode is not null)
            {
                return new Delivery(DeliveryKind.ReturnCode, null);
            }

            if (sendCode?.UrlTemplate is not { } template)
            {
                return new Delivery(DeliveryKind.SendCode, null);
            }

            var parsed = UrlTemplate.Parse(template);
            return parsed.IsSuccess ? new Delivery(DeliveryKind.SendCode, parsed.Value) : parsed.Error;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OTP email {OtpEmailId} added to user {UserId} by {Actor} ({Mode})")]
    private static partial void LogAdded(ILogger logger, long otpEmailId, long userId, string actor, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "OTP email {OtpEmailId} verified by {Actor}")]
    private static partial void LogVerified(ILogger logger, long otpEmailId, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "New code for OTP email {OtpEmailId} issued by {Actor} ({Mode})")]
    private static partial void LogCodeIssued(ILogger logger, long otpEmailId, string actor, string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "OTP email {OtpEmailId} removed by {Actor}")]
    private static partial void LogRemoved(ILogger logger, long otpEmailId, string actor);
}
