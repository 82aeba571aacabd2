using OtpEmail.Admin.Common;

namespace OtpEmail.Admin.Features.OtpEmail;

public enum OtpEmailState
{
    Pending = 1,
    Ready = 2,
    Removed = 3,
}

public sealed class OtpEmailAuthenticator
{
    public long Id { get; set; }

    public long UserId { get; set; }

    /// <summary>The address as given.</summary>
    public required string Address { get; set; }

    /// <summary>The address in lower case: what the duplicate rule compares.</summary>
    public required string NormalizedAddress { get; set; }

    public OtpEmailState State { get; set; }

    /// <summary>HMAC-SHA256 of the current code; never the code itself.</summary>
    public byte[]? CodeHash { get; set; }

    public DateTimeOffset? CodeExpiresAt { get; set; }

    public int FailedAttempts { get; set; }

    /// <summary>Start of the hour in which <see cref="CodesInWindow"/> codes were issued (the send limit).</summary>
    public DateTimeOffset? CodeWindowStart { get; set; }

    public int CodesInWindow { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    /// <summary>How the outbox refers to this authenticator's mail.</summary>
    public string MailReference => MailDelivery.Reference(Id);

    /// <summary>The current code stops working.</summary>
    public void ForgetCode()
    {
        CodeHash = null;
        CodeExpiresAt = null;
    }
}
