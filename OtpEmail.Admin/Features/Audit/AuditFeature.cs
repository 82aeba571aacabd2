namespace OtpEmail.Admin.Features.Audit;

public static class AuditFeature
{
    public static WebApplicationBuilder AddAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditService>();
        builder.Services.AddOptions<EventsPageSections>();
        return builder;
    }
}

/// <summary>
/// What other features add to the Events page below the users' events (components taking a
/// <c>Caller</c> parameter), so that the audit page shows them without knowing them.
/// </summary>
public sealed class EventsPageSections
{
    public List<Type> Components { get; } = [];
}
