using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.MailTexts;

/// <summary>
/// The fields of ZITADEL's <c>MessageCustomText</c> for the "verify email OTP" message: templates
/// with the variables of <see cref="MessageTemplate"/>. An empty field takes the default's.
/// </summary>
public sealed record MessageFields(string Title, string PreHeader, string Subject, string Greeting, string Text, string ButtonText, string FooterText)
{
    /// <summary>Each field's name on the wire and its longest length.</summary>
    public static readonly (string Name, int MaxLength)[] Limits =
        [("title", 200), ("preHeader", 200), ("subject", 200), ("greeting", 200), ("text", 2000), ("buttonText", 100), ("footerText", 1000)];

    public IReadOnlyList<string> Values => [Title, PreHeader, Subject, Greeting, Text, ButtonText, FooterText];

    public static MessageFields From(IReadOnlyList<string> values) => new(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
}

/// <summary>An organization's own text of the verification mail in one language.</summary>
public sealed class MessageText
{
    public long OrganizationId { get; set; }

    /// <summary>A BCP 47 tag in canonical case (see <see cref="LanguageTag"/>).</summary>
    public required string Language { get; set; }

    public required string Title { get; set; }

    public required string PreHeader { get; set; }

    public required string Subject { get; set; }

    public required string Greeting { get; set; }

    public required string Text { get; set; }

    public required string ButtonText { get; set; }

    public required string FooterText { get; set; }

    /// <summary>The organization event that last changed it, for the contract's <c>details</c>.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset ChangedAt { get; set; }

    public MessageFields Fields => new(Title, PreHeader, Subject, Greeting, Text, ButtonText, FooterText);

    public void Set(MessageFields fields) =>
        (Title, PreHeader, Subject, Greeting, Text, ButtonText, FooterText) =
        (fields.Title, fields.PreHeader, fields.Subject, fields.Greeting, fields.Text, fields.ButtonText, fields.FooterText);
}

internal sealed class MessageTextConfiguration : IEntityTypeConfiguration<MessageText>
{
    public void Configure(EntityTypeBuilder<MessageText> builder)
    {
        builder.ToTable("MessageTexts");
        builder.HasKey(t => new { t.OrganizationId, t.Language });
        builder.Property(t => t.Language).HasMaxLength(LanguageTag.MaxLength);
        string[] columns = [nameof(MessageText.Title), nameof(MessageText.PreHeader), nameof(MessageText.Subject), nameof(MessageText.Greeting),
            nameof(MessageText.Text), nameof(MessageText.ButtonText), nameof(MessageText.FooterText)];
        foreach (var (column, (_, maxLength)) in columns.Zip(MessageFields.Limits))
        {
            builder.Property(column).HasMaxLength(maxLength);
        }

        builder.Ignore(t => t.Fields);
        builder.HasOne<Organization>().WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The MailTexts feature's tables.</summary>
public static class MailTextTables
{
    extension(AppDbContext db)
    {
        public DbSet<MessageText> MessageTexts => db.Set<MessageText>();
    }
}
