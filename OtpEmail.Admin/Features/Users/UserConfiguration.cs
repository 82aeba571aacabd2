using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OtpEmail.Admin.Features.Users;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Name).HasMaxLength(200);
        builder.HasIndex(o => o.Name).IsUnique();
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.Username).HasMaxLength(200).UseCollation("NOCASE");
        builder.Property(u => u.GivenName).HasMaxLength(200);
        builder.Property(u => u.FamilyName).HasMaxLength(200);
        builder.Property(u => u.DisplayName).HasMaxLength(400);
        builder.Property(u => u.Email).HasMaxLength(200).UseCollation("NOCASE");
        builder.Property(u => u.Sequence).IsConcurrencyToken();
        builder.HasOne<Organization>().WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(u => new { u.OrganizationId, u.Username }).IsUnique();
        builder.HasIndex(u => u.Username);
        builder.HasIndex(u => u.Email);
        builder.HasMany(u => u.OtpEmails).WithOne().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
