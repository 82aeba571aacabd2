using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OtpEmail.Admin.Infrastructure.Email;

internal sealed class OutboxMailConfiguration : IEntityTypeConfiguration<OutboxMail>
{
    public void Configure(EntityTypeBuilder<OutboxMail> builder)
    {
        builder.ToTable("Outbox");
        builder.Property(m => m.Id).ValueGeneratedNever();
        builder.Property(m => m.To).HasMaxLength(200);
        builder.Property(m => m.Subject).HasMaxLength(200);
        builder.Property(m => m.LastError).HasMaxLength(500);
        builder.HasIndex(m => new { m.Status, m.NextAttemptAt });
    }
}
