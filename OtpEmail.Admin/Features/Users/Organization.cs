namespace OtpEmail.Admin.Features.Users;

public sealed class Organization
{
    public const int MaxSenderNameLength = 100;

    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The display name of the verification mail's sender (<c>"Acme Sign-in" &lt;no-reply@…&gt;</c>); null: the organization's name.</summary>
    public string? SenderName { get; set; }

    /// <summary>The language of its mail for users whose own language it has no text for (a BCP 47 tag).</summary>
    public string DefaultLanguage { get; set; } = "en";
}
