using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OtpEmail.Admin.Features.OtpEmail;

internal sealed class OtpEmailConfiguration : IEntityTypeConfiguration<OtpEmailAuthenticator>
{
    public void Configure(EntityTypeBuilder<OtpEmailAuthenticator> builder)
    {
        builder.ToTable("OtpEmails");
        builder.Property(a => a.Id).ValueGeneratedNever();
        builder.Property(a => a.Address).HasMaxLength(200);
        builder.Property(a => a.NormalizedAddress).HasMaxLength(200);
        builder.Property(a => a.CreatedBy).HasMaxLength(200);
        builder.Property(a => a.CodeHash).HasMaxLength(32);

        // The duplicate rule: one live (pending or ready) authenticator per address and user,
        // enforced by the database so concurrent adds cannot both win.
        builder.HasIndex(a => new { a.UserId, a.NormalizedAddress })
            .IsUnique()
            .HasFilter($"\"State\" <> {(int)OtpEmailState.Removed}");
    }
}
