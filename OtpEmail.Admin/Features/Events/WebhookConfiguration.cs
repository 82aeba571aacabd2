using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Events;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("WebhookEndpoints");
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.Url).HasMaxLength(WebhookUrls.MaxLength);
        builder.Property(e => e.EventTypes).HasMaxLength(500);
        builder.Property(e => e.DisabledReason).HasMaxLength(200);
        builder.Property(e => e.CreatedBy).HasMaxLength(200);
        builder.HasIndex(e => e.OrganizationId); // the fan-out's look-up, at every published event
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("WebhookDeliveries");
        builder.Property(d => d.Id).ValueGeneratedOnAdd(); // numbered by the database: the fan-out inserts rows by INSERT … SELECT
        builder.Property(d => d.LastError).HasMaxLength(500);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.EndpointId, d.MessageId }).IsUnique(); // one message once per endpoint; a redelivery reuses the row
        // The dispatcher's queue, pending deliveries only (as the outbox's).
        builder.HasIndex(d => d.NextAttemptAt, "IX_WebhookDeliveries_Pending").HasFilter($"\"Status\" = {(int)WebhookDeliveryStatus.Pending}");
        builder.HasIndex(d => d.ClaimToken);
    }
}

public static class WebhookTables
{
    extension(AppDbContext db)
    {
        public DbSet<WebhookEndpoint> WebhookEndpoints => db.Set<WebhookEndpoint>();

        public DbSet<WebhookDelivery> WebhookDeliveries => db.Set<WebhookDelivery>();
    }
}
