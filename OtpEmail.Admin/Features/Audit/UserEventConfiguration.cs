using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Features.Users;

namespace OtpEmail.Admin.Features.Audit;

internal sealed class UserEventConfiguration : IEntityTypeConfiguration<UserEvent>
{
    public void Configure(EntityTypeBuilder<UserEvent> builder)
    {
        builder.Property(e => e.Type).HasMaxLength(100);
        builder.Property(e => e.ActorSubject).HasMaxLength(200);
        builder.Property(e => e.ActorClient).HasMaxLength(200);
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => new { e.UserId, e.Sequence }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.OccurredAt });
        builder.HasIndex(e => e.OccurredAt);
    }
}
