using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Features.Users;
using OtpEmail.Admin.Infrastructure.Data;
using OtpEmail.Admin.Infrastructure.Network;

namespace OtpEmail.Admin.Features.OtpEmail;

internal sealed class OtpEmailConfiguration : IEntityTypeConfiguration<OtpEmailAuthenticator>
{
    public void Configure(EntityTypeBuilder<OtpEmailAuthenticator> builder)
    {
        builder.ToTable("OtpEmails");
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Address).HasMaxLength(EmailAddress.MaxLength);
        builder.Property(a => a.NormalizedAddress).HasMaxLength(EmailAddress.MaxLength);
        builder.Property(a => a.CreatedBy).HasMaxLength(200);
        builder.Property(a => a.CodeHash).HasMaxLength(32);
        builder.Ignore(a => a.MailReference);
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);

        // The duplicate rule: one live (pending or ready) authenticator per address and user,
        // enforced by the database so concurrent adds cannot both win.
        builder.HasIndex(a => new { a.UserId, a.NormalizedAddress })
            .IsUnique()
            .HasFilter($"\"State\" <> {(int)OtpEmailState.Removed}");

        // The overview's stale enrolments: pending authenticators newest first, with their codes' expiry at hand.
        builder.HasIndex(a => new { a.Id, a.CodeExpiresAt }, "IX_OtpEmails_Pending").HasFilter($"\"State\" = {(int)OtpEmailState.Pending}");
    }
}

internal sealed class LinkFailureCountConfiguration : IEntityTypeConfiguration<LinkFailureCount>
{
    public void Configure(EntityTypeBuilder<LinkFailureCount> builder)
    {
        builder.ToTable("LinkFailureCounts");
        builder.HasKey(c => new { c.UserId, c.Network });
        builder.Property(c => c.Network).HasMaxLength(ClientAddress.MaxPartitionLength);
        builder.Property(c => c.Count).IsConcurrencyToken();
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class LinkFailureTotalConfiguration : IEntityTypeConfiguration<LinkFailureTotal>
{
    public void Configure(EntityTypeBuilder<LinkFailureTotal> builder)
    {
        builder.ToTable("LinkFailureTotals");
        builder.HasKey(c => c.UserId);
        builder.Property(c => c.UserId).ValueGeneratedNever();
        builder.Property(c => c.Count).IsConcurrencyToken();
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RecipientMailCountConfiguration : IEntityTypeConfiguration<RecipientMailCount>
{
    public void Configure(EntityTypeBuilder<RecipientMailCount> builder)
    {
        builder.ToTable("RecipientMailCounts");
        builder.HasKey(c => c.Address);
        builder.Property(c => c.Address).HasMaxLength(EmailAddress.MaxLength);
        builder.Property(c => c.Count).IsConcurrencyToken();
        builder.HasIndex(c => c.WindowStart);
    }
}

/// <summary>The OtpEmail feature's tables.</summary>
public static class OtpEmailTables
{
    extension(AppDbContext db)
    {
        public DbSet<OtpEmailAuthenticator> OtpEmails => db.Set<OtpEmailAuthenticator>();

        public DbSet<LinkFailureCount> LinkFailureCounts => db.Set<LinkFailureCount>();

        public DbSet<LinkFailureTotal> LinkFailureTotals => db.Set<LinkFailureTotal>();

        public DbSet<RecipientMailCount> RecipientMailCounts => db.Set<RecipientMailCount>();

        public DbSet<UserEnrolment> UserEnrolments => db.Set<UserEnrolment>();
    }
}
