using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpEmail.Admin.Infrastructure.Data;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary>A bulk job's state; on the wire <c>JOB_STATE_RUNNING</c>, …, as the contract writes its enums.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BulkJobState>))]
public enum BulkJobState
{
    [JsonStringEnumMemberName("JOB_STATE_RUNNING")]
    Running = 1,

    [JsonStringEnumMemberName("JOB_STATE_DONE")]
    Done = 2,

    [JsonStringEnumMemberName("JOB_STATE_CANCELLED")]
    Cancelled = 3,
}

public enum BulkRowOutcome
{
    Pending = 0,
    Ok = 1,
    Failed = 2,
}

/// <summary>A bulk enrolment: who started it, from which file, and how far it is.</summary>
public sealed class BulkJob
{
    public long Id { get; set; }

    public required string ActorSubject { get; set; }

    public string? ActorClient { get; set; }

    /// <summary>The starter's permissions and organizations (JSON): the job acts with them after a restart too.</summary>
    public required string Caller { get; set; }

    public required string FileName { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public BulkJobState State { get; set; } = BulkJobState.Running;

    public int Total { get; set; }

    public int Done { get; set; }

    public int Succeeded { get; set; }

    public int Failed { get; set; }

    /// <summary>When the finished job's results were first read: the one read that may carry codes.</summary>
    public DateTimeOffset? ResultsReadAt { get; set; }

    /// <summary>
    /// The instance whose <see cref="BulkRunner"/> works the job (the one it was started on, which also
    /// holds its codes); another takes it over only once <see cref="RunnerLeaseUntil"/> has passed.
    /// </summary>
    public long? Runner { get; set; }

    public DateTimeOffset? RunnerLeaseUntil { get; set; }
}

/// <summary>One row of a bulk job: what the file said, and once done, what came of it.</summary>
public sealed class BulkJobRow
{
    public long JobId { get; set; }

    public int Row { get; set; }

    public required string User { get; set; }

    /// <summary>The user the row names, once found; null when it was not (the row then failed at once).</summary>
    public long? UserId { get; set; }

    public required string Address { get; set; }

    public required string Mode { get; set; }

    public string? UrlTemplate { get; set; }

    public BulkRowOutcome Outcome { get; set; }

    public long? OtpEmailId { get; set; }

    public int? ErrorCode { get; set; }

    public string? ErrorId { get; set; }

    public string? ErrorMessage { get; set; }
}

internal sealed class BulkJobConfiguration : IEntityTypeConfiguration<BulkJob>
{
    public void Configure(EntityTypeBuilder<BulkJob> builder)
    {
        builder.ToTable("BulkJobs");
        builder.Property(j => j.Id).ValueGeneratedNever();
        builder.Property(j => j.ActorSubject).HasMaxLength(200);
        builder.Property(j => j.ActorClient).HasMaxLength(200);
        builder.Property(j => j.FileName).HasMaxLength(260);
        builder.HasIndex(j => j.State);
    }
}

internal sealed class BulkJobRowConfiguration : IEntityTypeConfiguration<BulkJobRow>
{
    public void Configure(EntityTypeBuilder<BulkJobRow> builder)
    {
        builder.ToTable("BulkJobRows");
        builder.HasKey(r => new { r.JobId, r.Row });
        builder.Property(r => r.User).HasMaxLength(320);
        builder.Property(r => r.Address).HasMaxLength(320);
        builder.Property(r => r.Mode).HasMaxLength(40);
        builder.Property(r => r.UrlTemplate).HasMaxLength(2048);
        builder.Property(r => r.ErrorId).HasMaxLength(100);
        builder.Property(r => r.ErrorMessage).HasMaxLength(500);
        builder.HasOne<BulkJob>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>The Bulk feature's tables.</summary>
public static class BulkTables
{
    extension(AppDbContext db)
    {
        public DbSet<BulkJob> BulkJobs => db.Set<BulkJob>();

        public DbSet<BulkJobRow> BulkJobRows => db.Set<BulkJobRow>();
    }
}
