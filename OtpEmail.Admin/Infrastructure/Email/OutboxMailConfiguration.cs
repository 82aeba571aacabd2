using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Infrastructure.Data;

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
        builder.Property(m => m.Reference).HasMaxLength(100);
        builder.Property(m => m.RelayResponse).HasMaxLength(500);
        builder.Property(m => m.Status).IsConcurrencyToken(); // a staged cancel loses to the dispatcher's claim
        // The dispatcher's queue: pending mail only, so it stays as small as the backlog, and SQLite (without
        // statistics) never prefers it to the key or the claim in a query that also names a status.
        builder.HasIndex(m => m.NextAttemptAt, "IX_Outbox_Pending").HasFilter($"\"Status\" = {(int)OutboxMailStatus.Pending}");
        builder.HasIndex(m => m.Reference);
        // An organization's waiting mail, oldest first (the overview's backlog): pending mail only, as above.
        builder.HasIndex(m => new { m.OrganizationId, m.CreatedAt }, "IX_Outbox_PendingByOrganization").HasFilter($"\"Status\" = {(int)OutboxMailStatus.Pending}");
        builder.HasIndex(m => m.ClaimToken);
    }
}

public static class OutboxTables
{
    extension(AppDbContext db)
    {
        public DbSet<OutboxMail> OutboxMails => db.Set<OutboxMail>();
    }
}
