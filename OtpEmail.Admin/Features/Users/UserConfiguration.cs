using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Common;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Users;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("Organizations");
        builder.Property(o => o.Id).ValueGeneratedNever();
        builder.Property(o => o.Name).HasMaxLength(200);
        builder.Property(o => o.SenderName).HasMaxLength(Organization.MaxSenderNameLength);
        builder.Property(o => o.DefaultLanguage).HasMaxLength(LanguageTag.MaxLength).HasDefaultValue(LanguageTag.English);
        builder.HasIndex(o => o.Name).IsUnique();
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("Users");
        builder.Property(u => u.Id).ValueGeneratedNever();
        builder.Property(u => u.Username).HasMaxLength(200).UseCollation("NOCASE");
        builder.Property(u => u.GivenName).HasMaxLength(200);
        builder.Property(u => u.FamilyName).HasMaxLength(200);
        builder.Property(u => u.DisplayName).HasMaxLength(CreateUserHandler.MaxDisplayNameLength);
        builder.Property(u => u.Email).HasMaxLength(200).UseCollation("NOCASE");
        builder.Property(u => u.PreferredLanguage).HasMaxLength(LanguageTag.MaxLength);
        builder.HasOne<Organization>().WithMany().HasForeignKey(u => u.OrganizationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(u => new { u.OrganizationId, u.Username }).IsUnique();
        builder.HasIndex(u => u.Username);
        builder.HasIndex(u => u.Email);
    }
}

internal sealed class UserEventConfiguration : IEntityTypeConfiguration<UserEvent>
{
    public void Configure(EntityTypeBuilder<UserEvent> builder)
    {
        builder.ToTable("UserEvents");
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Type).HasMaxLength(100);
        builder.Property(e => e.ActorSubject).HasMaxLength(200);
        builder.Property(e => e.ActorClient).HasMaxLength(200);
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.UserId, e.Sequence }).IsUnique(); // the user's optimistic lock, see UserEventLog
        builder.HasIndex(e => new { e.OrganizationId, e.Sequence }).IsUnique().HasFilter("\"UserId\" IS NULL"); // the organization's
        builder.HasIndex(e => new { e.OrganizationId, e.Id }); // ids follow time: newest first by id
    }
}

/// <summary>The Users feature's tables.</summary>
public static class UserTables
{
    extension(AppDbContext db)
    {
        public DbSet<Organization> Organizations => db.Set<Organization>();

        public DbSet<User> Users => db.Set<User>();

        public DbSet<UserEvent> UserEvents => db.Set<UserEvent>();

        public DbSet<OrganizationTotal> OrganizationTotals => db.Set<OrganizationTotal>();

        public DbSet<OrganizationHour> OrganizationHours => db.Set<OrganizationHour>();
    }
}
