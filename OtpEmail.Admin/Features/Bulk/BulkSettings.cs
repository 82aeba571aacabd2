using System.ComponentModel.DataAnnotations;

namespace OtpEmail.Admin.Features.Bulk;

/// <summary><c>Bulk:*</c>: how much of the bulk runner one caller may hold.</summary>
public sealed class BulkSettings
{
    public const string Section = "Bulk";

    /// <summary>Jobs one caller (staff member or API client) may have running at once; a further start is refused.</summary>
    [Range(1, 1000)]
    public int MaxRunningJobsPerCaller { get; set; } = 2;
}
