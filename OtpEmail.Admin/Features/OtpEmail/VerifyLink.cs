using System.Net;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Auth;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Network;

namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// The emailed link's verification behind the anonymous page <c>/otp-email/verify</c>: limited per
/// client, every failure answered alike, the code looked at only on the button's POST. Wrong codes
/// count per user and client network, never against a code's tries (docs/security.md).
/// </summary>
public sealed partial class VerifyLinkHandler : IDisposable
{
    /// <summary>The actor recorded when someone verifies through the emailed link.</summary>
    public static readonly Caller LinkVisitor = new("verification-link", null, new HashSet<string>(), null);

    private readonly IDbContextFactory<AppDbContext> _dbs;
    private readonly DbWriter _writer;
    private readonly VerificationCodes _codes;
    private readonly CodeAttempts _attempts;
    private readonly TimeProvider _time;
    private readonly OtpSettings _otp;
    private readonly OtpEmailMetrics _metrics;
    private readonly ILogger<VerifyLinkHandler> _logger;
    private readonly PartitionedRateLimiter<string> _clients;

    public VerifyLinkHandler(
        IDbContextFactory<AppDbContext> dbs, DbWriter writer, VerificationCodes codes, CodeAttempts attempts, TimeProvider time, IOptions<OtpSettings> otp,
        OtpEmailMetrics metrics, ILogger<VerifyLinkHandler> logger)
    {
        _dbs = dbs;
        _writer = writer;
        _codes = codes;
        _attempts = attempts;
        _time = time;
        _otp = otp.Value;
        _metrics = metrics;
        _logger = logger;
        var perMinute = otp.Value.LinkAttemptsPerMinute;
        _clients = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Verifies when the visitor presses the button; every failure is <see cref="OtpEmailErrors.LinkFailed"/>.</summary>
    public async Task<Result<Details>> VerifyAsync(string? userId, string? orgId, string? code, IPAddress? client, CancellationToken cancellationToken)
    {
        var limited = AdmitClient(client);
        if (limited is not null)
        {
            return limited;
        }

        var id = UserId.Parse(userId);
        if (!id.IsSuccess || string.IsNullOrWhiteSpace(code) || code.Length > CodeAttempts.MaxCodeLength || string.IsNullOrEmpty(orgId))
        {
            return OtpEmailErrors.LinkFailed;
        }

        var network = ClientAddress.Partition(client);
        var underAttack = false;
        var verified = await _writer.WriteAsync<Details>(async (db, ct) =>
        {
            underAttack = false; // a stage may run again by itself: only its last run counts
            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id.Value.Value && u.State == UserState.Active, ct);
            if (user is null || DecimalId.Format(user.OrganizationId) != orgId)
            {
                return OtpEmailErrors.LinkFailed;
            }

            var now = _time.GetUtcNow();
            var failures = await db.LinkFailureCounts.FindAsync([user.Id, network], ct);
            var window = HourlyLimit.Current(failures?.WindowStart, failures?.Count ?? 0, now);
            if (window.Count >= _otp.LinkFailuresPerNetworkPerHour)
            {
                return OtpEmailErrors.LinkFailed; // this network rests for this user until the hour is over, right code or not
            }

            var pending = await db.OtpEmails
                .Where(a => a.UserId == user.Id && a.State == OtpEmailState.Pending && a.CodeHash != null)
                .ToListAsync(ct);
            var match = pending.FirstOrDefault(a => _codes.Matches(code, a.CodeHash));
            if (match is null)
            {
                if (failures is null)
                {
                    // Networks whose hour is over go as a new one comes: many networks leave no pile of rows.
                    var hourAgo = now - HourlyLimit.Window;
                    await db.LinkFailureCounts.Where(f => f.UserId == user.Id && f.WindowStart <= hourAgo).ExecuteDeleteAsync(ct);
                    db.LinkFailureCounts.Add(new LinkFailureCount { UserId = user.Id, Network = network, WindowStart = window.Start, Count = 1 });
                }
                else
                {
                    failures.WindowStart = window.Start;
                    failures.Count = window.Count + 1;
                }

                underAttack = await CountTotalAsync(db, user.Id, now, ct) == _otp.LinkFailuresPerUserBeforeWarning + 1;
                LogWrongCode(_logger, user.Id, window.Count + 1);
                return Staged<Details>.Recorded(OtpEmailErrors.LinkFailed);
            }

            var attempt = await _attempts.RecordAsync(db, LinkVisitor, user, match, code, ct);
            return attempt.IsSuccess ? attempt.Value : OtpEmailErrors.LinkFailed;
        }, cancellationToken, new InOrderWith(id.Value));
        _metrics.Verification("link", verified);
        if (underAttack)
        {
            LogUserUnderAttack(_logger, id.Value.Value, _otp.LinkFailuresPerUserBeforeWarning);
            _metrics.UserUnderAttack();
        }

        return verified;
    }

    /// <summary>
    /// What the page shows before the button is pressed: the masked addresses (m•••@mouse.com) of the
    /// user's pending authenticators whose code is still valid, or none when the link names no such
    /// user in that organization. It never looks at the code (that would tell a visitor, unmetered,
    /// whether a code is right). Counts against the same per-client limit as verifying (an error
    /// then); changes nothing.
    /// </summary>
    public async Task<Result<string[]>> PreviewAsync(string? userId, string? orgId, IPAddress? client, CancellationToken cancellationToken)
    {
        var limited = AdmitClient(client);
        if (limited is not null)
        {
            return limited;
        }

        var id = UserId.Parse(userId);
        if (!id.IsSuccess || string.IsNullOrEmpty(orgId))
        {
            return Array.Empty<string>();
        }

        var now = _time.GetUtcNow();
        await using var db = await _dbs.CreateDbContextAsync(cancellationToken);
        var pending = await db.OtpEmails.AsNoTracking()
            .Where(a => a.UserId == id.Value.Value && a.State == OtpEmailState.Pending && a.CodeHash != null && a.CodeExpiresAt > now)
            .Join(db.Users.Where(u => u.State == UserState.Active), a => a.UserId, u => u.Id, (a, u) => new { a.Id, a.Address, u.OrganizationId })
            .ToListAsync(cancellationToken);
        return pending
            .Where(a => DecimalId.Format(a.OrganizationId) == orgId)
            .OrderBy(a => a.Id)
            .Select(a => EmailAddress.Mask(a.Address))
            .Distinct()
            .ToArray();
    }

    public void Dispose() => _clients.Dispose();

    /// <summary>The gate of both link operations: one attempt off the client's per-minute allowance, or the refusal.</summary>
    private AppError? AdmitClient(IPAddress? client)
    {
        using var lease = _clients.AttemptAcquire(ClientAddress.Partition(client));
        if (lease.IsAcquired)
        {
            return null;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        return AppError.Exhausted("OTPEMAIL-LINK-RATE", "Too many attempts; try again later", retryAfter);
    }

    /// <summary>Counts one more wrong code for the user from all networks together; returns this hour's count.</summary>
    private static async Task<int> CountTotalAsync(AppDbContext db, long userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = await db.LinkFailureTotals.FindAsync([userId], cancellationToken);
        var window = HourlyLimit.Current(total?.WindowStart, total?.Count ?? 0, now);
        if (total is null)
        {
            total = new LinkFailureTotal { UserId = userId, WindowStart = window.Start };
            db.LinkFailureTotals.Add(total);
        }

        total.WindowStart = window.Start;
        total.Count = window.Count + 1;
        return total.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A wrong code on the verification page for user {UserId} ({Failures} this hour from the client's network)")]
    private static partial void LogWrongCode(ILogger logger, long userId, int failures);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The verification page took more than {Threshold} wrong codes this hour for user {UserId}, from all networks together: someone may be guessing its codes")]
    private static partial void LogUserUnderAttack(ILogger logger, long userId, int threshold);
}
