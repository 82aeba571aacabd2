using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Infrastructure.Idempotency;

public enum IdempotencyState
{
    /// <summary>The first request with the key is still running.</summary>
    Running = 0,

    /// <summary>Its answer is stored and is replayed.</summary>
    Done = 1,
}

/// <summary>
/// One caller's <c>Idempotency-Key</c>: the hash of the request that claimed it and, once done, the
/// answer it got. An answer that carries a verification code keeps that copy only encrypted
/// (<see cref="ProtectedBody"/>) and only while the code is valid; <see cref="Body"/> never has it.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Whose key: <c>client:{client id}</c> or <c>subject:{subject}</c>.</summary>
    public required string Caller { get; set; }

    public required string Key { get; set; }

    /// <summary>SHA-256 (hex) of the door, method, path and body of the first request.</summary>
    public required string RequestHash { get; set; }

    public IdempotencyState State { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The HTTP status (JSON door) or the gRPC status code (gRPC door) of the answer.</summary>
    public int Status { get; set; }

    public string? ContentType { get; set; }

    /// <summary>The answer as sent, less any verification code.</summary>
    public byte[]? Body { get; set; }

    /// <summary>The whole answer, code included, encrypted with Data Protection; erased once the code expires.</summary>
    public byte[]? ProtectedBody { get; set; }

    public DateTimeOffset? CodeValidUntil { get; set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("IdempotencyKeys");
        builder.HasKey(r => new { r.Caller, r.Key }); // one row per caller and key, on every instance
        builder.Property(r => r.Caller).HasMaxLength(300);
        builder.Property(r => r.Key).HasMaxLength(IdempotencyKey.MaxLength);
        builder.Property(r => r.RequestHash).HasMaxLength(64);
        builder.Property(r => r.ContentType).HasMaxLength(100);
        builder.HasIndex(r => r.ExpiresAt);
    }
}

public static class IdempotencyTables
{
    extension(AppDbContext db)
    {
        public DbSet<IdempotencyRecord> IdempotencyRecords => db.Set<IdempotencyRecord>();
    }
}
