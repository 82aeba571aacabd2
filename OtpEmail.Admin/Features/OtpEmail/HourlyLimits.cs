namespace OtpEmail.Admin.Features.OtpEmail;

/// <summary>
/// A limit of so many an hour, counted from the first of them: a fixed window per key, kept in the
/// database so that every instance counts against the same numbers.
/// </summary>
public static class HourlyLimit
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>The window open at <paramref name="now"/>: the stored one if it has not passed, else a new one.</summary>
    public static (DateTimeOffset Start, int Count) Current(DateTimeOffset? start, int count, DateTimeOffset now) =>
        start is { } opened && now - opened < Window ? (opened, count) : (now, 0);

    /// <summary>When a full window opens again.</summary>
    public static TimeSpan RetryAfter(DateTimeOffset start, DateTimeOffset now) => start + Window - now;
}

/// <summary>
/// Wrong codes entered on the public verification page for one user from one client network (see
/// <see cref="Infrastructure.Network.ClientAddress.Partition"/>), this hour.
/// </summary>
public sealed class LinkFailureCount
{
    public long UserId { get; set; }

    public required string Network { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    /// <summary>A concurrency token: two writers cannot both count from the same number.</summary>
    public int Count { get; set; }
}

/// <summary>Wrong codes entered on the public verification page for one user from all networks together, this hour.</summary>
public sealed class LinkFailureTotal
{
    public long UserId { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    /// <summary>A concurrency token: two writers cannot both count from the same number.</summary>
    public int Count { get; set; }
}

/// <summary>Verification mails sent to one mailbox (see <see cref="Common.EmailAddress.Mailbox"/>), across all users, this hour.</summary>
public sealed class RecipientMailCount
{
    public required string Address { get; set; }

    public DateTimeOffset WindowStart { get; set; }

    /// <summary>A concurrency token: two writers cannot both count from the same number.</summary>
    public int Count { get; set; }
}
